/**
 * The folder browser's words (fs.browse): what one folder of the allowed folders holds, each entry classified
 * by what it is, so browser mode opens datasets, models, workspaces, studies and rankings without typing a
 * path on the server. Shared by the engine, which lists, and the UI, which shows; pure.
 */
import { z } from 'zod';

export const BROWSE_KINDS = [
  /** A folder that is none of the kinds below. */
  'folder',
  /** A file that is none of the kinds below. */
  'file',
  'dataset',
  'model',
  'workspace',
  'study',
  'ranking',
  /** Its listing or its contents cannot be read (permissions): `detail` says why. */
  'unreadable',
  /** A link that leads outside the allowed folders: neither followed nor described. */
  'outside',
  /** A link to nothing, or a loop of links. */
  'broken',
] as const;
export type BrowseKind = (typeof BROWSE_KINDS)[number];

/** The kinds that open in a view of their own. */
export const OPENABLE_KINDS = ['dataset', 'model', 'workspace', 'study', 'ranking'] as const;
export type OpenableKind = (typeof OPENABLE_KINDS)[number];

export function isOpenableKind(kind: BrowseKind): kind is OpenableKind {
  return (OPENABLE_KINDS as readonly string[]).includes(kind);
}

/** Entries one listing describes; the rest of a big folder is counted, not listed. */
export const MAX_BROWSE_ENTRIES = 500;
/** Class names one entry carries (an ImageNet folder has 1,000: the count says so). */
export const MAX_BROWSE_CLASSES = 50;

export const BrowseEntrySchema = z.object({
  /** The name in its folder; for an allowed folder (the top of the browser), its whole path. */
  name: z.string(),
  /**
   * Where it really is (links resolved), to open or list it; absent where it must not be used: a link that
   * leads outside the allowed folders, a link to nothing.
   */
  path: z.string().optional(),
  /** Whether it is a folder (one the browser can enter when it has a path). */
  folder: z.boolean(),
  /** Whether its name is a link (where it leads is `path`). */
  link: z.boolean(),
  kind: z.enum(BROWSE_KINDS),
  /** What it is, in words ("IDX dataset: 10 classes", "cnn4 model, 28×28×1 input, 10 classes", why unreadable). */
  detail: z.string(),
  /** Why it cannot be opened though it looks like its kind (a damaged file, an unfinished study). */
  problem: z.string().optional(),
  /** A dataset's format. */
  format: z.enum(['idx', 'cifar10', 'cifar100', 'folder']).optional(),
  /** A dataset's or a model's class names (the first MAX_BROWSE_CLASSES), and how many there are. */
  classes: z.array(z.string()).optional(),
  classCount: z.number().optional(),
  /** A model's architecture (or 'imported' for a tfjs model without deepcorrect.json). */
  arch: z.string().optional(),
  /** For an allowed folder: whether the session may write there. */
  access: z.enum(['read', 'write']).optional(),
});
export type BrowseEntry = z.infer<typeof BrowseEntrySchema>;

export const BrowseListingSchema = z.object({
  /** The folder listed (its real location); null for the list of allowed folders. */
  path: z.string().nullable(),
  /** The folder above, offered only while it is inside an allowed folder. */
  parent: z.string().optional(),
  /** What the listed folder itself is (a dataset folder is opened from inside it too). */
  self: BrowseEntrySchema.optional(),
  /** Folders first, then files, by name; at most MAX_BROWSE_ENTRIES. */
  entries: z.array(BrowseEntrySchema),
  /** Entries past MAX_BROWSE_ENTRIES, counted but not listed. */
  omitted: z.number(),
  /** Hidden entries (dot files, Thumbs.db...) not listed. */
  hidden: z.number(),
});
export type BrowseListing = z.infer<typeof BrowseListingSchema>;

/** An allowed folder as the gate hands it to the engine. */
export const BrowseRootSchema = z.strictObject({
  path: z.string().min(1).max(4096),
  access: z.enum(['read', 'write']),
});
export type BrowseRoot = z.infer<typeof BrowseRootSchema>;
