import type { NextConfig } from 'next'

const config: NextConfig = {
  // Loaded from node_modules as they are, not bundled: the kit reads its widget files next to its
  // own modules, and the app's routes and the kit share one copy of Hono.
  serverExternalPackages: ['two-factor-kit', 'hono'],
}

export default config
