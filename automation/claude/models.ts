/**
 * Model names. The default is the newest Sonnet alias the installed @anthropic-ai/sdk lists in its
 * `Model` type.
 */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';
