import { defineConfig } from "vite";

// The UI is served from the app's own origin (Tauri's custom protocol or `hall serve`), so every
// asset path is relative and nothing is fetched from elsewhere.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // The workstation's UI, and the head-office console served at `/console/` (ui/src/console).
      input: { main: "index.html", console: "console.html" },
      // Ant Design marks its modules "use client" for server rendering, which a desktop app has no use for.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
