// One error type for every reader, so callers (CLI, pipeline) can tell a bad
// weights file from a bug: the message always names the file and, when known,
// the tensor. Names and details come from untrusted files, so the message is
// made printable and kept to one line: control characters are escaped (\xNN)
// and over-long names are cut.
import { UserError } from '../errors.js';

/** Control characters escaped as \xNN; text beyond `max` characters cut with an ellipsis. */
export function printable(s: string, max = Infinity): string {
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export class WeightsError extends UserError {
  readonly file: string;
  readonly tensor: string | undefined;

  constructor(file: string, tensor: string | undefined, detail: string, options?: { cause?: unknown }) {
    super(`${printable(file)}${tensor !== undefined ? ` [tensor '${printable(tensor, 200)}']` : ''}: ${printable(detail, 2000)}`, options);
    this.name = 'WeightsError';
    this.file = file;
    this.tensor = tensor;
  }
}
