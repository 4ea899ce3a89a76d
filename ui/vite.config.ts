import { defineConfig } from "vite";

// The UI is served from the app's own origin (Tauri's custom protocol or `hall serve`), so every
// asset path is relative and nothing is fetched from elsewhere.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", target: "es2022", chunkSizeWarningLimit: 2000 },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
