// The one error base class for mistakes the user can fix (a bad file, flag, YAML key, a model
// with no layers, a full disk): the CLI prints its message as one line and exits 2. Anything
// else is a bug (exit 1). It sits at the top of src/ so every layer can extend it; it imports
// nothing.
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}
