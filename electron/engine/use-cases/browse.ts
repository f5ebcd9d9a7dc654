import { BridgeError } from '../../../shared/bridge/protocol.ts';
import { browseFolder } from '../browse/browse-folder.ts';
import type { UseCase } from './context.ts';

/**
 * fs.browse: one folder of the allowed folders (none given: the allowed folders), each entry classified. The
 * gate hands the allowed folders in `roots`; without them nothing may be listed.
 */
export const browseCase: UseCase<'fs.browse'> = {
  run: (input) => {
    if (input.roots === undefined)
      return Promise.reject(
        new BridgeError('invalid-input', 'fs.browse: the allowed folders (roots) are missing'),
      );
    return browseFolder(input.path, input.roots);
  },
};
