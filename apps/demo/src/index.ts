export { SERVICES, shopCalls, shopInstances, shopNamespace } from './topology';
export type { InstanceSpec, ServiceName } from './topology';
export { startInstance } from './instance';
export type { RunningInstance, InstanceOptions } from './instance';
export { HELP_TEXT as demoHelpText } from './flags';
