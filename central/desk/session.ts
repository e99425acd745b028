import type { Context } from "hono";
import { ApiError } from "../http/api-error";
import type { SessionPerson } from "../services/people";
import type { PersonRole } from "../../shared/desk-api";

/** The desk's Hono environment: the signed-in person, set by the session middleware. */
export type DeskEnv = { Variables: { person: SessionPerson } };

/** The signed-in person when their role is one of `roles`; 403 naming the roles otherwise. */
export function needRole(c: Context<DeskEnv>, ...roles: PersonRole[]): SessionPerson {
  const p = c.get("person");
  if (!roles.includes(p.role))
    throw new ApiError(403, "forbidden", `this needs a ${roles.join(" or ")} account; yours is ${p.role}`);
  return p;
}
