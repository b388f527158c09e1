/** Minimal logging sink; the CLI prints it, a library user can route it anywhere. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything (the library default). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** A logger that puts `prefix` before every message and hands it to `logger`. */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  return {
    debug: (m) => logger.debug(prefix + m),
    info: (m) => logger.info(prefix + m),
    warn: (m) => logger.warn(prefix + m),
    error: (m) => logger.error(prefix + m),
  };
}
