/**
 * The roles every new Conversations service starts with, as Twilio creates them:
 * two service-scoped roles (admin, user) and two conversation-scoped ones.
 */
export function defaultRoles(): Array<{ friendly_name: string; type: 'service' | 'conversation'; permissions: string[] }> {
  return [
    {
      friendly_name: 'service admin',
      type: 'service',
      permissions: ['addParticipant', 'createConversation', 'deleteAnyMessage', 'deleteConversation', 'editAnyMessage', 'editAnyMessageAttributes', 'editAnyUserInfo', 'editConversationAttributes', 'editConversationName', 'editOwnMessage', 'editOwnMessageAttributes', 'editOwnUserInfo', 'joinConversation', 'removeParticipant'],
    },
    {
      friendly_name: 'service user',
      type: 'service',
      permissions: ['createConversation', 'deleteOwnMessage', 'editOwnMessage', 'editOwnMessageAttributes', 'editOwnUserInfo', 'joinConversation'],
    },
    {
      friendly_name: 'channel admin',
      type: 'conversation',
      permissions: ['addParticipant', 'deleteAnyMessage', 'deleteConversation', 'editAnyMessage', 'editAnyMessageAttributes', 'editConversationAttributes', 'editConversationName', 'editOwnMessage', 'editOwnMessageAttributes', 'removeParticipant', 'sendMediaMessage', 'sendMessage'],
    },
    {
      friendly_name: 'channel user',
      type: 'conversation',
      permissions: ['deleteOwnMessage', 'editOwnMessage', 'editOwnMessageAttributes', 'leaveConversation', 'sendMediaMessage', 'sendMessage'],
    },
  ];
}

/** Every permission name a role may hold, by role type. */
export const ROLE_PERMISSIONS = {
  service: ['addParticipant', 'createConversation', 'deleteAnyMessage', 'deleteConversation', 'deleteOwnMessage', 'editAnyMessage', 'editAnyMessageAttributes', 'editAnyUserInfo', 'editConversationAttributes', 'editConversationName', 'editOwnMessage', 'editOwnMessageAttributes', 'editOwnUserInfo', 'joinConversation', 'removeParticipant'],
  conversation: ['addParticipant', 'deleteAnyMessage', 'deleteConversation', 'deleteOwnMessage', 'editAnyMessage', 'editAnyMessageAttributes', 'editConversationAttributes', 'editConversationName', 'editOwnMessage', 'editOwnMessageAttributes', 'leaveConversation', 'removeParticipant', 'sendMediaMessage', 'sendMessage'],
} as const;
