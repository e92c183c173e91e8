/**
 * A Vite plugin that writes one HTML file per client route (`routes/<name>.html`, the built
 * index.html plus `<link rel="modulepreload">` for that route's lazy page chunk and the chunks
 * it imports) and `routes/routes.json` listing them. The server (plugins/web-app.ts) answers a
 * page load of `/inspect` with `routes/inspect.html`, so the browser fetches the page's code in
 * parallel with the shell instead of after the shell has run (one round trip and one
 * evaluation less before the page can paint).
 *
 * Routes are read from `src/features/<feature>/route.ts`: each `createRoute({ ... })` with a
 * `path: '...'` and a `lazyRouteComponent(() => import('./Page.tsx'))`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';

/** One client route and the page module it loads lazily. */
export interface LazyRoute {
  /** The route's path below the root, `$name` for a parameter (`inspections/$inspectionId`). */
  path: string;
  /** Absolute path of the page module. */
  module: string;
}

/** One entry of `routes/routes.json`: a route pattern and the HTML file that preloads its page. */
export interface RouteHtmlEntry {
  /** Path pattern, segments separated by `/`, `$name` matching any one segment. */
  pattern: string;
  /** The HTML file, relative to the build folder. */
  file: string;
}

/** The lazy routes declared in a route.ts source (`file` names it, for resolving imports). */
export function parseLazyRoutes(source: string, file: string): LazyRoute[] {
  const out: LazyRoute[] = [];
  for (const block of source.split(/createRoute\(\s*\{/).slice(1)) {
    const path = /\bpath:\s*'([^']+)'/.exec(block)?.[1];
    const lazy = /lazyRouteComponent\(\s*\(\)\s*=>\s*import\(\s*'([^']+)'\s*\)/.exec(block)?.[1];
    if (path && lazy) out.push({ path: path.replace(/^\/+|\/+$/g, ''), module: resolve(dirname(file), lazy) });
  }
  return out;
}

/** The file name of a route's HTML (`inspections/$inspectionId` -> `inspections-_inspectionId.html`). */
export function routeHtmlName(path: string): string {
  return `${path.replace(/\$/g, '_').replace(/[^A-Za-z0-9_-]+/g, '-')}.html`;
}

/** `html` with `links` inserted before `</head>`. */
export function withPreloads(html: string, hrefs: string[]): string {
  const links = hrefs.map((h) => `    <link rel="modulepreload" crossorigin href="${h}">\n`).join('');
  return html.replace(/[ \t]*<\/head>/, `${links}  </head>`);
}

interface ChunkInfo {
  imports: string[];
  facadeModuleId: string | null;
}

/** The plugin; `featuresDir` holds the feature folders (default `src/features` of the Vite root). */
export function routeHtml(featuresDir?: string): Plugin {
  let outDir = 'dist';
  let root = process.cwd();
  let base = '/';
  const chunks = new Map<string, ChunkInfo>();
  const entryGraph = new Set<string>();
  return {
    name: 'xqc-route-html',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      root = config.root;
      base = config.base;
    },
    generateBundle(_options, bundle) {
      chunks.clear();
      entryGraph.clear();
      for (const c of Object.values(bundle)) {
        if (c.type !== 'chunk') continue;
        chunks.set(c.fileName, { imports: c.imports, facadeModuleId: c.facadeModuleId });
      }
      // What the entry loads anyway (index.html already preloads it): left out of route preloads.
      const walk = (f: string) => {
        if (entryGraph.has(f)) return;
        entryGraph.add(f);
        for (const i of chunks.get(f)?.imports ?? []) walk(i);
      };
      for (const c of Object.values(bundle)) if (c.type === 'chunk' && c.isEntry) walk(c.fileName);
    },
    writeBundle() {
      const dir = featuresDir ?? join(root, 'src/features');
      const indexPath = join(outDir, 'index.html');
      if (!existsSync(indexPath) || !existsSync(dir)) return;
      const index = readFileSync(indexPath, 'utf8');
      const byModule = new Map<string, string>();
      for (const [file, c] of chunks) if (c.facadeModuleId) byModule.set(c.facadeModuleId, file);
      const routes: LazyRoute[] = [];
      for (const feature of readdirSync(dir).sort()) {
        const file = join(dir, feature, 'route.ts');
        if (existsSync(file)) routes.push(...parseLazyRoutes(readFileSync(file, 'utf8'), file));
      }
      mkdirSync(join(outDir, 'routes'), { recursive: true });
      const entries: RouteHtmlEntry[] = [];
      for (const r of routes) {
        const chunk = byModule.get(r.module);
        if (!chunk) continue;
        const files: string[] = [];
        const walk = (f: string) => {
          if (entryGraph.has(f) || files.includes(f)) return;
          files.push(f);
          for (const i of chunks.get(f)?.imports ?? []) walk(i);
        };
        walk(chunk);
        const name = routeHtmlName(r.path);
        writeFileSync(join(outDir, 'routes', name), withPreloads(index, files.map((f) => `${base}${f}`)));
        entries.push({ pattern: r.path, file: `routes/${name}` });
      }
      writeFileSync(join(outDir, 'routes', 'routes.json'), JSON.stringify(entries, null, 1));
    },
  };
}
