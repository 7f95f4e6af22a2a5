// mysql2 requires iconv-lite when it loads, but needs it only for character sets Node lacks.
// Evaluating iconv-lite's tables costs ~20 ms, so the bundle gets this stand-in, which loads the
// real module on first use. One exception stays here: mysql2 decodes the handshake's server
// version and MariaDB's utf8mb3 columns as `cesu8`, on every connection. For ASCII bytes,
// iconv-lite's CESU-8 decoder gives the same characters as latin1, so ASCII input is decoded
// here and anything else goes to the real decoder. scripts/stand-ins.mjs checks at build time
// that this matches iconv-lite byte for byte (BOM handling included); test/startup covers it.
const { isAscii } = require('node:buffer');

let iconv;
const load = () => {
  iconv ??= require('iconv-lite');
  return iconv;
};

/**
 * iconv-lite's decoder for `cesu8` (a BOM-stripping wrapper around its CESU-8 decoder) until
 * the first non-ASCII input, then the real one. mysql2 reuses one decoder for every value, and
 * the real wrapper strips a BOM only from the first non-empty output: `started` carries that over.
 */
function cesu8Decoder(options) {
  let real;
  let started = false;
  return {
    write(bytes) {
      if (!real) {
        if (isAscii(bytes)) {
          const text = bytes.toString('latin1');
          if (text) started = true;
          return text;
        }
        real = load().getDecoder('cesu8', options);
        // ASCII leaves the CESU-8 decoder with no partial character, so one ASCII byte puts the
        // real decoder in the state this one is in: past the start when output was given.
        if (started) real.write(Buffer.from('A'));
      }
      return real.write(bytes);
    },
    // iconv-lite's CESU-8 decoder ends with the number 0 when no character is left unfinished.
    end: () => (real ? real.end() : 0),
  };
}

module.exports = {
  getDecoder: (encoding, options) =>
    encoding === 'cesu8' ? cesu8Decoder(options) : load().getDecoder(encoding, options),
  getEncoder: (...args) => load().getEncoder(...args),
  decode: (...args) => load().decode(...args),
  encode: (...args) => load().encode(...args),
  encodingExists: (...args) => load().encodingExists(...args),
};
