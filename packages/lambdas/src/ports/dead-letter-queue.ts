/** Why a message was dead-lettered: a stable code and a short, printable explanation. */
export interface DeadLetterReason {
  /** A stable code to switch on, such as the contracts' `INVALID_INPUT`. */
  readonly code: string;
  /** For humans: what is wrong with the message (at most a few hundred characters). */
  readonly message: string;
}

/** A message that can never be processed, with the reason it is set aside. */
export interface DeadLetter {
  /** The id the queue gave the message. */
  readonly messageId: string;
  /** The message's body, exactly as received. */
  readonly body: string;
  readonly reason: DeadLetterReason;
}

/**
 * Where a message that can never be processed goes at once, with its reason, instead of coming
 * back until the queue's redrive moves it. Implemented by the SQS adapter (the ingest queue's
 * dead-letter queue).
 *
 * Failure semantics: any failure rejects (the caller then leaves the message to the redrive).
 */
export interface DeadLetterQueue {
  send(message: DeadLetter): Promise<void>;
}
