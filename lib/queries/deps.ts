import type { PrismaDb } from "@/lib/db/prisma";
import type { Sql } from "@/lib/db/sql";
import type { FunctionRegistry } from "@/lib/registry/registry";

/** What the dashboard's queries read: Prisma and the in-memory registry (for function names). */
export interface DashboardDeps {
  prisma: PrismaDb;
  sql: Sql;
  registry: FunctionRegistry;
  functionName: (id: string) => string | null;
}

export function dashboardDeps(rt: { prisma: PrismaDb; sql: Sql; registry: FunctionRegistry }): DashboardDeps {
  return { prisma: rt.prisma, sql: rt.sql, registry: rt.registry, functionName: (id) => rt.registry.get(id)?.name ?? null };
}
