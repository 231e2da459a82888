import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// No URL, key or environment name is baked into the build: the app reads
// /config.json at start (written next to index.html by `nox -s frontend`),
// so one build is promoted unchanged from a preview to staging to production.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: true, assetsDir: "assets" },
});
