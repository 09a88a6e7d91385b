/**
 * Push-notification settings of a service, stored as one JSON document in
 * conv_services.notifications in the shape Twilio renders them.
 */
export interface NotificationTemplate {
  enabled: boolean;
  template: string | null;
  sound: string | null;
}

export interface NotificationSettings {
  log_enabled: boolean;
  new_message: NotificationTemplate & { badge_count_enabled: boolean; with_media: { enabled: boolean; template: string | null } };
  added_to_conversation: NotificationTemplate;
  removed_from_conversation: NotificationTemplate;
}

/** Every form key of POST /Configuration/Notifications. */
export interface NotificationsInput {
  LogEnabled?: boolean;
  'NewMessage.Enabled'?: boolean;
  'NewMessage.Template'?: string;
  'NewMessage.Sound'?: string;
  'NewMessage.BadgeCountEnabled'?: boolean;
  'NewMessage.WithMedia.Enabled'?: boolean;
  'NewMessage.WithMedia.Template'?: string;
  'AddedToConversation.Enabled'?: boolean;
  'AddedToConversation.Template'?: string;
  'AddedToConversation.Sound'?: string;
  'RemovedFromConversation.Enabled'?: boolean;
  'RemovedFromConversation.Template'?: string;
  'RemovedFromConversation.Sound'?: string;
}

/** Twilio's defaults: everything off, no templates or sounds. */
export function parseNotifications(stored: string): NotificationSettings {
  const raw = (stored ? JSON.parse(stored) : {}) as Partial<NotificationSettings>;
  const tpl = (t: Partial<NotificationTemplate> | undefined): NotificationTemplate => ({ enabled: t?.enabled ?? false, template: t?.template ?? null, sound: t?.sound ?? null });
  return {
    log_enabled: raw.log_enabled ?? false,
    new_message: {
      ...tpl(raw.new_message),
      badge_count_enabled: raw.new_message?.badge_count_enabled ?? false,
      with_media: { enabled: raw.new_message?.with_media?.enabled ?? false, template: raw.new_message?.with_media?.template ?? null },
    },
    added_to_conversation: tpl(raw.added_to_conversation),
    removed_from_conversation: tpl(raw.removed_from_conversation),
  };
}

export function applyNotifications(current: NotificationSettings, b: NotificationsInput): NotificationSettings {
  const pick = <T>(value: T | undefined, fallback: T): T => (value !== undefined ? value : fallback);
  const nm = current.new_message;
  const added = current.added_to_conversation;
  const removed = current.removed_from_conversation;
  return {
    log_enabled: pick(b.LogEnabled, current.log_enabled),
    new_message: {
      enabled: pick(b['NewMessage.Enabled'], nm.enabled),
      template: pick(b['NewMessage.Template'], nm.template),
      sound: pick(b['NewMessage.Sound'], nm.sound),
      badge_count_enabled: pick(b['NewMessage.BadgeCountEnabled'], nm.badge_count_enabled),
      with_media: {
        enabled: pick(b['NewMessage.WithMedia.Enabled'], nm.with_media.enabled),
        template: pick(b['NewMessage.WithMedia.Template'], nm.with_media.template),
      },
    },
    added_to_conversation: {
      enabled: pick(b['AddedToConversation.Enabled'], added.enabled),
      template: pick(b['AddedToConversation.Template'], added.template),
      sound: pick(b['AddedToConversation.Sound'], added.sound),
    },
    removed_from_conversation: {
      enabled: pick(b['RemovedFromConversation.Enabled'], removed.enabled),
      template: pick(b['RemovedFromConversation.Template'], removed.template),
      sound: pick(b['RemovedFromConversation.Sound'], removed.sound),
    },
  };
}
