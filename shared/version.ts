/** The workbench's version, as package.json has it (a test keeps the two equal). */
export const APP_VERSION = '0.1.0';
