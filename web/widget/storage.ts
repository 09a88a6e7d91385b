/**
 * What survives a page reload, in the host page's localStorage: the chat
 * (account, conversation, identity), the resume secret that gets new tokens
 * for it, the last stream seq seen, and whether the panel was open.
 * Storage may be unavailable (private modes, sandboxed frames): the chat then
 * lasts as long as the page.
 */
export interface SavedChat {
  accountSid: string;
  conversationSid: string;
  identity: string;
  resumeSecret: string;
  lastSeq: number;
  open: boolean;
}

export class ChatStorage {
  private memory: SavedChat | undefined;

  constructor(private readonly key: string) {}

  load(): SavedChat | undefined {
    try {
      const raw = localStorage.getItem(this.key);
      if (raw) return JSON.parse(raw) as SavedChat;
    } catch {
      /* unavailable or corrupt: fall through */
    }
    return this.memory;
  }

  save(chat: SavedChat): void {
    this.memory = chat;
    try {
      localStorage.setItem(this.key, JSON.stringify(chat));
    } catch {
      /* quota or disabled: the in-memory copy still serves this page */
    }
  }

  update(patch: Partial<SavedChat>): void {
    const current = this.load();
    if (current) this.save({ ...current, ...patch });
  }

  clear(): void {
    this.memory = undefined;
    try {
      localStorage.removeItem(this.key);
    } catch {
      /* nothing to clear */
    }
  }
}
