/** What applying a statement produced: the record to return and the one event to emit. */
export interface Effect<R> {
  result: R;
  event: { name: EventName; payload: object };
}

/** Chaincode event names. Stable: the gateway's projection and other listeners rely on them. */
export const EVENT_NAMES = [
  'LedgerInitialised',
  'IssuerRegistered',
  'IssuerUpdated',
  'IssuerKeyAdded',
  'IssuerKeyRetired',
  'IssuerKeyRevoked',
  'RegistrarRotated',
  'AnchorCreated',
  'AnchorStatusChanged',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];
