/** An error meant for the person at the terminal: its message is printed as is, without a stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit code 2: the command line itself is wrong. */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}
