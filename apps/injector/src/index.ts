export { createApp, PATHS } from './app';
export { review } from './admission';
export { issueServingCert } from './servingCert';
export { webhookConfiguration } from './webhookConfig';
