import type { Executor } from '../storage/db.js';

/**
 * What Studio needs from other modules. The composition root (server.ts) wires
 * each port; Studio never imports those modules itself.
 */

/** Hands a contact to Flex: an Interaction whose channel creates a TaskRouter task. */
export interface SendToFlexInput {
  accountSid: string;
  conversationSid?: string;
  flowSid: string;
  executionSid: string;
  workflowSid: string;
  /** TaskChannel SID or unique name. */
  taskChannel: string;
  attributes: Record<string, unknown>;
  priority?: number;
  timeout?: number;
  from?: string;
  to?: string;
}
export type SendToFlex = (input: SendToFlexInput) => Promise<{ interactionSid: string; taskSid: string }>;

/** Sends a message outside any conversation (REST-triggered executions texting a phone). */
export interface SendMessageInput {
  accountSid: string;
  from: string;
  to: string;
  body: string;
  mediaUrl?: string[];
}
/** The carrier's answer: its SM SID (null when it refused the message) and status. */
export type SendMessage = (input: SendMessageInput) => Promise<{ sid: string | null; status: string; errorCode?: number; errorMessage?: string }>;

export interface StudioPorts {
  sendToFlex: SendToFlex;
  sendMessage: SendMessage;
}

/** Until Interactions and the carrier channels are wired, the widgets take their failure transitions. */
export const unwiredPorts: StudioPorts = {
  sendToFlex: async () => {
    throw new Error('flex not wired');
  },
  sendMessage: async () => {
    throw new Error('messaging not wired');
  },
};

/** The conversation a Conversations-triggered execution talks in. */
export interface ConversationRef {
  accountSid: string;
  serviceSid: string;
  conversationSid: string;
}

/** Studio's view of Conversations (implemented over ConversationsProduct in conversations-bridge.ts). */
export interface ConversationsPort {
  /** Posts a message as Studio (author `system`). */
  postMessage(ref: ConversationRef, body: string): Promise<{ sid: string; index: number; author: string }>;
  /** The flow a conversation's studio-target webhook points at, read in the caller's transaction. */
  studioFlowOf(tx: Executor, accountSid: string, conversationSid: string): Promise<string | undefined>;
  /** The proxy address of a participant's messaging binding (flow.channel.address). */
  proxyAddressOf(tx: Executor, accountSid: string, participantSid: string): Promise<string | undefined>;
  /** Removes the conversation's studio-target webhooks: Studio stops receiving its messages. */
  detachStudio(ref: ConversationRef): Promise<void>;
}
