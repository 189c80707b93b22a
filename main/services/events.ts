/** A typed fan-out of main -> renderer events to every attached transport. */
import type { EventId, EventPayload } from '../api/index.js';

type Listener = (event: EventId, payload: unknown) => void;

/** Collects subscribers (IPC windows, WebSocket clients) and forwards every event to them. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  /** Sends an event to every subscriber; a failing subscriber never stops the others. */
  emit<E extends EventId>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A closed socket or destroyed window must not break the sender.
      }
    }
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
