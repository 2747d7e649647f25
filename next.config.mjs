/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native drivers, Prisma's runtime and server-only libraries load from node_modules at run
  // time instead of being bundled into route handlers and pages.
  serverExternalPackages: [
    "better-sqlite3",
    "pg",
    "@prisma/client",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pino",
    "prom-client",
    "undici",
    "ws",
  ],
  // `npm run check` type-checks the whole project (tests included) once; the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  devIndicators: false,
};

export default nextConfig;
