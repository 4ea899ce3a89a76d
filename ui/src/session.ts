import { createContext, useCallback, useContext } from "react";
import type { CommandName } from "./api/generated/commands";
import type { SessionInfo } from "./api/generated/SessionInfo";

/** The signed-in session, for the screens that show or hide what its role may do. */
export const SessionContext = createContext<SessionInfo | null>(null);

/**
 * `can("dayend.close")`: whether the signed-in role may run a command, as the core's command
 * table says (`SessionInfo.allowed`). The UI's one permission check, and only a courtesy: a
 * button the role may not use is not shown; the core refuses the command anyway.
 */
export function useCan(): (cmd: CommandName) => boolean {
  const session = useContext(SessionContext);
  return useCallback((cmd: CommandName) => session?.allowed.includes(cmd) ?? false, [session]);
}
