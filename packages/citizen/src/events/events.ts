import type { PreferenceChange } from '../preferences/preferences.js';

/** `idcr-load-more`: the person asked for older access-log entries; `cursor` is the page's `nextCursor`. */
export type LoadMoreDetail = { cursor: string };
/** `idcr-preference-change`: the person saved a sharing choice (send it as the body of `PUT /citizen/me/preferences`). */
export type PreferenceChangeDetail = PreferenceChange;
/** `idcr-what-matters-change`: the person saved their statements (the body of `PUT /citizen/me/what-matters`). */
export type WhatMattersChangeDetail = { statements: string[]; expectedVersion: number };

/** Dispatches a composed, bubbling `idcr-*` event. */
export function emit<T>(target: EventTarget, type: string, detail: T): boolean {
  return target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true, cancelable: true }));
}

declare global {
  interface GlobalEventHandlersEventMap {
    'idcr-load-more': CustomEvent<LoadMoreDetail>;
    'idcr-preference-change': CustomEvent<PreferenceChangeDetail>;
    'idcr-what-matters-change': CustomEvent<WhatMattersChangeDetail>;
  }
}
