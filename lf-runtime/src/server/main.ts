// Entry point of the language server bundle (dist/server.js). The transport (IPC from the extension,
// or --stdio for tests and other editors) is chosen from the command line by vscode-languageserver.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { createWorkspaceRuntime } from './workspaceRuntime.ts';
import { LfLanguageServer } from './lfServer.ts';

const connection = createConnection(ProposedFeatures.all);
new LfLanguageServer(connection, { createExecutor: createWorkspaceRuntime }).listen();
