// mysql2 requires iconv-lite at start-up but needs it only for character sets Node lacks
// (e.g. cp932 result columns). Evaluating iconv-lite's tables costs ~30 ms on every run, so
// the bundle gets this stand-in, which loads the real module on first use.
let iconv;
const load = () => {
  iconv ??= require('iconv-lite');
  return iconv;
};
module.exports = {
  getDecoder: (...args) => load().getDecoder(...args),
  getEncoder: (...args) => load().getEncoder(...args),
  decode: (...args) => load().decode(...args),
  encode: (...args) => load().encode(...args),
  encodingExists: (...args) => load().encodingExists(...args),
};
