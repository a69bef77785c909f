import type { SlackEmulator } from './emulator';

/** A button in the console's side panel. */
export interface ConsoleAction {
  id: string;
  label: string;
  /** What it does, shown as the button's tooltip. */
  hint: string;
  /** Buttons are shown in groups, e.g. "Workers", "Faults". */
  group: string;
  danger?: boolean;
}

export interface ConsolePanel {
  title: string;
  actions: ConsoleAction[];
  /** Lines of current state, e.g. which workers run and which faults are on. */
  lines: string[];
}

/**
 * Extra controls in the console for whatever hosts the emulator (the sandbox: workers, fault knobs). The Slack
 * emulator itself knows nothing of them; without an extension the console shows no such panel.
 */
export interface ConsoleExtension {
  panel(): ConsolePanel;
  /** Runs one action; the answer is shown to the person who clicked, so it says what happened and what next. */
  run(id: string): Promise<string>;
}

// Kept beside the emulator rather than in it: the emulator's constructor and options stay Slack's alone.
const extensions = new WeakMap<SlackEmulator, ConsoleExtension>();

export function extendConsole(emulator: SlackEmulator, extension: ConsoleExtension): void {
  extensions.set(emulator, extension);
}

export function consoleExtension(emulator: SlackEmulator): ConsoleExtension | undefined {
  return extensions.get(emulator);
}
