import type { DeadLetter } from './dead-letter.ts';

/**
 * The port poison records leave through. `publish` resolves once every letter is durably
 * written, or throws {@link DeadLetterPublishError} (retriable) having possibly written some.
 */
export interface DeadLetterPublisher {
  publish(letters: readonly DeadLetter[]): Promise<void>;
}
