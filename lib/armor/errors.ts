import type { Failure } from '../result.ts';

/** What an armor decoder says about hostile input (in a Result: decoders never throw). */
export type ArmorErrorCode =
  | 'bad-prefix' // text does not start with a Veil armor prefix
  | 'bad-char' // a character outside the block's alphabet (or a dense tail symbol not in last place)
  | 'mixed-alphabet' // ASCII and dense symbols in one block
  | 'truncated' // text ended before the block terminator
  | 'bad-length' // a symbol count no byte length encodes to
  | 'non-canonical' // padding bits not zero: a second spelling of the same bytes
  | 'bad-header' // fragment header invalid (too short, count < 2, index >= count, no data)
  | 'too-large' // block longer than the decoder's cap
  | 'trailing-data'; // dearmor(): something other than ignorable characters after the block

export type ArmorError = Failure<ArmorErrorCode>;
