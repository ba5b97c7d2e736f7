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

/**
 * The Chinese part of a message written "中文 / English" (also "…）/ English"): what the dashboard
 * and the reports print. A path such as data/outbox/ is no separator (no space after its slash).
 */
export function chinesePart(message: string): string {
  return message.split(/ ?\/ (?=[A-Za-z])/)[0];
}
