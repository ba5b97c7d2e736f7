import type { SubCategory } from './changji.js';
import type { Township, Unit } from './directory.js';

/** The shapes shared by the demo's generator and its incidents. */

export interface SubRef {
  index: number;
  l1: string;
  sub: SubCategory;
}

export interface Caller {
  phone: string;
  name: string;
}

export interface Location {
  township: Township;
  /** What the citizen calls the place in the text: a compound, a street, a village. */
  place: string;
  /** The 诉求地址 column ('' when the request is about no place in particular). */
  address: string;
  compound: string | null;
}

/** A ticket as decided before its times: what, where, who, and (for incidents) how it is handled. */
export interface Draft {
  /** Wall-clock ms when the contact started (the call, for phone requests). */
  at: number;
  ref: SubRef;
  l3: string;
  location: Location;
  /** null: a new caller is drawn. */
  caller: Caller | null;
  channel: string;
  appeal: string;
  content: string;
  repeat: boolean;
  enterprise: boolean;
  urgent: boolean;
  /** null: decided by the usual shares. */
  handling: '直接答复' | '转办' | null;
  /** null: the usual lead unit of the sub-category. */
  unit: Unit | null;
}
