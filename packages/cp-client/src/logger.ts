/** The subset of a pino logger the client uses (pino loggers fit). */
export interface ClientLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ClientLogger = {
  info() {},
  warn() {},
  error() {},
};
