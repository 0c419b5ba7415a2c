// One error type for every reader, so callers (CLI, pipeline) can tell a bad
// weights file from a bug: the message always names the file and, when known,
// the tensor.
import { UserError } from '../errors.js';

export class WeightsError extends UserError {
  readonly file: string;
  readonly tensor: string | undefined;

  constructor(file: string, tensor: string | undefined, detail: string, options?: { cause?: unknown }) {
    super(`${file}${tensor !== undefined ? ` [tensor '${tensor}']` : ''}: ${detail}`, options);
    this.name = 'WeightsError';
    this.file = file;
    this.tensor = tensor;
  }
}
