/** The architectures the engine builds, by name: apart from their builders so the command line can list them without loading tfjs. */
export const ARCHITECTURES = ['cnn4', 'allconv9', 'resnet8', 'resnet20'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export function isArchitecture(name: string): name is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(name);
}

/** Validates a user-given architecture name (from --arch or the UI), with an error listing the valid ones. */
export function parseArchitecture(name: string): Architecture {
  const arch = name.trim().toLowerCase();
  if (!isArchitecture(arch)) {
    throw new Error(`unknown architecture "${name}"; choose one of: ${ARCHITECTURES.join(', ')}`);
  }
  return arch;
}
