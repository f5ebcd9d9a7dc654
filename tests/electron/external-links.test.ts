// Links the page opens go to the system browser only after the user confirms, in a dialog that shows the
// address (issue 16, finding 8). The decision and the dialog's content are pure (electron/main/security.ts);
// tests/electron/main-wiring.test.ts checks that harden.ts shows the dialog and opens only on yes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXTERNAL_LINK_CANCEL,
  EXTERNAL_LINK_OPEN,
  externalLinkConfirmed,
  externalLinkPrompt,
  MAX_EXTERNAL_URL_LENGTH,
  type ExternalLinkPrompt,
} from '../../electron/main/security.ts';

function offered(url: string): ExternalLinkPrompt {
  const prompt = externalLinkPrompt(url);
  if (prompt === undefined) throw new Error(`${url} was not offered`);
  return prompt;
}

describe('the question before a link leaves the app', () => {
  it('shows the whole address that will be opened, and the site on a line of its own', () => {
    const url = 'https://github.com/deepcorrect/workbench/issues?q=is%3Aopen&sort=updated#top';
    const prompt = offered(url);
    expect(prompt.url).toBe(url);
    expect(prompt.dialog.detail.split('\n')[0]).toBe(url);
    expect(prompt.dialog.detail).toContain('Site: github.com');
    expect(prompt.dialog.message).toBe('Open this address in your web browser?');
    expect(prompt.dialog.type).toBe('question');
  });

  it('opens exactly the address it showed, normalised as a browser would read it', () => {
    const prompt = offered('HTTPS://Example.COM:8443/a b?q=1#\u202egnp.exe');
    expect(prompt.url).toBe('https://example.com:8443/a%20b?q=1#%E2%80%AEgnp.exe');
    expect(prompt.dialog.detail.split('\n')[0]).toBe(prompt.url);
    expect(prompt.dialog.detail).toContain('Site: example.com:8443');
  });

  it('shows an international or look-alike site name in punycode, and says why it looks odd', () => {
    // Cyrillic letters that look like "apple".
    const lookAlike = offered('https://\u0430\u0440\u0440\u04cf\u0435.com/login');
    expect(lookAlike.url).toBe('https://xn--80ak6aa92e.com/login');
    expect(lookAlike.dialog.detail).toContain('Site: xn--80ak6aa92e.com');
    expect(lookAlike.dialog.detail).toContain('encoded (xn--) form');
    expect(lookAlike.dialog.detail).not.toContain('\u0430');
    expect(offered('https://m\u00fcnchen.de/').url).toBe('https://xn--mnchen-3ya.de/');
    expect(offered('https://apple.com/').dialog.detail).not.toContain('xn--');
  });

  it.each([
    'https://user:pw@example.com/',
    'https://user@example.com/',
    'https://github.com@evil.example/',
    'http://:pw@example.com/',
  ])('never offers an address with credentials: %s', (url) => {
    expect(externalLinkPrompt(url)).toBeUndefined();
  });

  it.each([
    'file:///etc/passwd',
    'smb://server/share',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'ms-settings:privacy',
    'vscode://file/etc/passwd',
    'app://workbench/index.html',
    'ftp://example.com/',
    'ws://example.com/',
    'mailto:a@b.c',
    'https://',
    'not a url',
    '',
  ])('never offers anything but an http(s) address with a host: %s', (url) => {
    expect(externalLinkPrompt(url)).toBeUndefined();
  });

  it('never offers an address too long to be read in the dialog', () => {
    const base = 'https://example.com/';
    expect(externalLinkPrompt(base + 'a'.repeat(MAX_EXTERNAL_URL_LENGTH - base.length))).toBeDefined();
    expect(externalLinkPrompt(base + 'a'.repeat(MAX_EXTERNAL_URL_LENGTH - base.length + 1))).toBeUndefined();
  });

  it('has Cancel as the default and the escape answer; only the Open button is a yes', () => {
    const { dialog } = offered('https://example.com/');
    expect(dialog.buttons).toEqual(['Cancel', 'Open in Browser']);
    expect(dialog.buttons[EXTERNAL_LINK_CANCEL]).toBe('Cancel');
    expect(dialog.buttons[EXTERNAL_LINK_OPEN]).toBe('Open in Browser');
    expect(dialog.defaultId).toBe(EXTERNAL_LINK_CANCEL);
    expect(dialog.cancelId).toBe(EXTERNAL_LINK_CANCEL);
    expect(dialog.noLink).toBe(true);
    expect(externalLinkConfirmed(dialog.defaultId)).toBe(false);
    expect(externalLinkConfirmed(dialog.cancelId)).toBe(false);
    expect(externalLinkConfirmed(EXTERNAL_LINK_OPEN)).toBe(true);
    for (const other of [-1, 2, 3, Number.NaN]) expect(externalLinkConfirmed(other)).toBe(false);
  });
});

/** A web address with arbitrary characters (any Unicode, controls, separators) put in at random places. */
const mangledUrl = fc
  .tuple(
    fc.webUrl({
      validSchemes: ['http', 'https', 'file', 'ftp', 'app', 'smb'],
      authoritySettings: { withUserInfo: true, withPort: true, withIPv4: true, withIPv6: true },
      withQueryParameters: true,
      withFragments: true,
    }),
    fc.array(fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 4 }),
  )
  .map(([url, inserts]) =>
    inserts.reduce(
      (s, [at, text]) => s.slice(0, at % (s.length + 1)) + text + s.slice(at % (s.length + 1)),
      url,
    ),
  );

describe('any address the page can make', () => {
  it('is offered only as printable ASCII that reads back as itself, with no credentials, and Cancel by default', () => {
    fc.assert(
      fc.property(fc.oneof(mangledUrl, fc.string({ unit: 'binary' })), (url) => {
        const prompt = externalLinkPrompt(url);
        if (prompt === undefined) return;
        // Printable ASCII only: no control, bidi or look-alike character can disguise what is opened.
        expect(prompt.url).toMatch(/^[\x21-\x7e]+$/);
        expect(prompt.url.length).toBeLessThanOrEqual(MAX_EXTERNAL_URL_LENGTH);
        expect(prompt.dialog.detail.split('\n')[0]).toBe(prompt.url);
        const u = new URL(prompt.url);
        expect(u.href).toBe(prompt.url);
        expect(['http:', 'https:']).toContain(u.protocol);
        expect(u.username + u.password).toBe('');
        expect(prompt.dialog.detail).toContain(`Site: ${u.host}`);
        expect(prompt.dialog.defaultId).toBe(EXTERNAL_LINK_CANCEL);
        expect(externalLinkConfirmed(prompt.dialog.defaultId)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
