/**
 * The Electron main process: one window, the menu, the native pickers, and the wiring of the renderer's
 * bridge messages to the gateway and the engine host. It holds no analysis logic, and every security
 * decision it applies comes from security.ts (see docs/security.md).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import { EngineClient } from '../gateway/engine-client.ts';
import { BridgeGate } from '../gateway/gate.ts';
import { PathPolicy } from '../gateway/paths.ts';
import { DEMO_WORKSPACE_ENV, demoWorkspaceDir } from '../engine/workspace/demo-dir.ts';
import { registerAppScheme, serveApp } from './app-protocol.ts';
import { utilityHostSpawner } from './engine-host.ts';
import { guardWebContents, hardenSession } from './harden.ts';
import { sendMenuCommand, wireIpc } from './ipc.ts';
import { appLayout } from './layout.ts';
import { createLog, type Log } from './log.ts';
import { aboutDetail, menuTemplate } from './menu.ts';
import { createMainWindow, focusWindow, WINDOW_TITLE } from './window.ts';

const mainDir = path.dirname(fileURLToPath(import.meta.url));
const layout = appLayout(mainDir, app.isPackaged, process.resourcesPath);

// A separate profile for automated runs (the Playwright suite), so they neither share state with nor are
// sent away by the single-instance lock of a copy the user has open.
const userDataOverride = process.env['DEEPCORRECT_USER_DATA'];
if (userDataOverride !== undefined && userDataOverride !== '') app.setPath('userData', userDataOverride);

const log = createLog(path.join(logFolder(), 'main.log'));

// Both must happen before 'ready'.
registerAppScheme();
app.enableSandbox();

if (app.requestSingleInstanceLock()) {
  start(log);
} else {
  // Another instance runs: it receives 'second-instance' and focuses its window.
  app.quit();
}

function start(log: Log): void {
  let window: BrowserWindow | undefined;
  let engine: EngineClient | undefined;
  let engineClosed = false;

  app.on('second-instance', () => focusWindow(window));
  // Every webContents the app ever makes (the window, DevTools, anything a page tries) gets the guards.
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
  app.on('child-process-gone', (_event, details) => {
    log(
      `child process gone: ${details.name ?? details.type} (${details.reason}, exit code ${details.exitCode})`,
    );
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Stop the engine host before exiting, so a running job is not left writing half a file.
  app.on('will-quit', (event) => {
    if (engine === undefined || engineClosed) return;
    event.preventDefault();
    const closing = engine.close();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000));
    void Promise.race([closing, timeout])
      .catch((error: unknown) => log(`engine close failed: ${String(error)}`))
      .finally(() => {
        engineClosed = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession, log);
      serveApp(session.defaultSession, layout.rendererRoot, log);

      const paths = new PathPolicy();
      // The bundled resources (demo dataset and model, docs) are opened, never written.
      paths.allowRead(layout.resources);
      // The demo workspace, a per-user folder the engine host creates on first run (so writable): the host
      // reads the folder from the environment it inherits.
      const demoWorkspace = demoWorkspaceDir(app.getPath('userData'));
      process.env[DEMO_WORKSPACE_ENV] = demoWorkspace;
      paths.allow(demoWorkspace);
      engine = new EngineClient(utilityHostSpawner(layout.hostEntry, log), log);
      const gate = new BridgeGate({ engine, paths, mode: 'desktop', log });
      wireIpc({ gate, paths, window: () => window, log });

      const openWindow = (): void => {
        window = createMainWindow(layout, app.isPackaged, log);
        window.on('closed', () => {
          window = undefined;
        });
      };
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          menuTemplate(
            { packaged: app.isPackaged, platform: process.platform },
            {
              openDataset: () => sendMenuCommand(window, 'open-dataset'),
              about: () => showAbout(window),
              openDocs: () => openDocs(window, layout.docs, log),
            },
          ),
        ),
      );
      openWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openWindow();
      });
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`startup failed: ${message}`);
      dialog.showErrorBox(`${WINDOW_TITLE} could not start`, message);
      app.exit(1);
    });
}

/** The OS's log folder for the app; the profile's logs folder should Electron not know one yet. */
function logFolder(): string {
  try {
    return app.getPath('logs');
  } catch {
    return path.join(app.getPath('userData'), 'logs');
  }
}

function showAbout(window: BrowserWindow | undefined): void {
  const options = {
    type: 'info' as const,
    title: `About ${WINDOW_TITLE}`,
    message: WINDOW_TITLE,
    detail: aboutDetail(app.getVersion(), process.versions),
    buttons: ['OK'],
  };
  void (window === undefined ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
}

function openDocs(window: BrowserWindow | undefined, docs: string, log: Log): void {
  void shell.openPath(docs).then((problem) => {
    if (problem === '') return;
    log(`cannot open ${docs}: ${problem}`);
    const options = {
      type: 'warning' as const,
      message: 'The docs folder could not be opened',
      detail: `${docs}: ${problem}`,
    };
    void (window === undefined ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
  });
}
