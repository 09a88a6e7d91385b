/**
 * What Parley needs from a messaging carrier (SMS/MMS, WhatsApp, Messenger): the
 * Twilio Programmable Messaging adapter and the built-in simulator both implement
 * it, and everything else (the inbound pipeline, fan-out, receipts) is written
 * against this interface only.
 */
export interface MessagingCarrier {
  readonly provider: CarrierProvider;
  /**
   * Whether conversation fan-out may send from this proxy address. A real carrier
   * decides for itself (and answers with an error); the simulator only plays the
   * numbers the account configured as addresses.
   */
  sendsFrom(from: string): Promise<boolean>;
  send(message: OutboundCarrierMessage): Promise<CarrierAccepted>;
  /** Downloads a file the carrier hosts (an inbound MediaUrlN). */
  fetchMedia(url: string): Promise<FetchedMedia>;
}

export type CarrierProvider = 'twilio' | 'simulator' | 'email';

/** A file stored in Parley's media store, sent by a public, signed URL. */
export interface StoredMediaRef {
  sid: string;
  serviceSid: string;
  contentType: string;
  size: number;
}

export interface OutboundCarrierMessage {
  from: string;
  to: string;
  body?: string;
  /** Parley-stored media of a conversation message. */
  media: StoredMediaRef[];
  /** Media elsewhere, by URL (Studio's send-message). */
  mediaUrls: string[];
  contentSid?: string;
  contentVariables?: string;
  /** Ask for status callbacks (conversation messages, whose receipts follow them). */
  track: boolean;
}

export interface CarrierAccepted {
  /** The carrier's message SID (SM…). */
  sid: string;
  /** The carrier's own status (queued, accepted, …). */
  status: string;
}

export interface FetchedMedia {
  contentType: string;
  data: Buffer;
  filename?: string;
}

/**
 * A carrier refused or could not be reached. `code` is the carrier's error code
 * (Twilio's REST error codes, e.g. 21211), 0 when there was no answer; retryable
 * errors (no answer, 429, 5xx) are tried again by the send job.
 */
export class CarrierError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.httpStatus === 0 || this.httpStatus === 429 || this.httpStatus >= 500;
  }
}
