import type { Failure } from '../result.ts';

/** What lib/calls says about hostile input (in a Result: it never throws). */
export type CallErrorCode = 'malformed' | 'too-large' | 'no-fingerprint' | 'no-session' | 'bad-call-id';
export type CallError = Failure<CallErrorCode>;
