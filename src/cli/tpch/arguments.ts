/**
 * Commander argument parsers for the `tpch` commands (wrapping tpch/run's validation so a bad
 * option prints commander's "option … argument … is invalid" with our reason and exits 1), and
 * the error line for failures while a command runs.
 */
import { InvalidArgumentError } from 'commander';
import { toEngineError } from '../../common/index.ts';
import {
  parseFormat,
  parseQueryList,
  parseRuns,
  parseScaleFactor,
  parseWorkers,
} from '../../../tpch/run/index.ts';

function wrap<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      throw new InvalidArgumentError(toEngineError(err).message);
    }
  };
}

export const scaleFactorArg = wrap(parseScaleFactor);
export const queryListArg = wrap(parseQueryList);
export const formatArg = wrap(parseFormat);
export const runsArg = wrap(parseRuns);
export const workersArg = wrap(parseWorkers);

/** Prints `ERROR [sqlstate]: message` on stderr and sets a failing exit code. */
export function reportFailure(err: unknown): void {
  const e = toEngineError(err);
  console.error(`ERROR [${e.sqlstate}]: ${e.message}`);
  process.exitCode = 1;
}
