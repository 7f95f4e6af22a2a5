/** One parser for every length of time dbcache takes: see duration.ts. */
export { parseInterval } from '../../duration.ts';
