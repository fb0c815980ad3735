import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { Channel } from '../channels/channel.js';
import type { FileIgnoredListener } from '../channels/file-channel.js';
import type { ImportModule } from '../channels/module-channel.js';
import { ToolChannel, isToolChannel } from './tool-channel.js';
import type { ToolSource } from './tool-source.js';
import { CompositeToolSource } from './tool-source.js';
import type { Clock } from '../time/clock.js';

/** One entry of the `plugins` configuration list. */
export const PluginConfigSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe(
      'the plugin folder (relative to the base folder): tools in <path>/tools, assets in <path>/assets',
    ),
  channelIdPrefix: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'use letters, digits and "-", starting with a letter')
    .describe('prefix of the plugin channel ids: <prefix>_tools and <prefix>_assets'),
  hasTools: z
    .boolean()
    .default(true)
    .describe('the plugin has a tools/ folder (adds channel <prefix>_tools)'),
  hasAssets: z
    .boolean()
    .default(false)
    .describe(
      'the plugin has an assets/ folder (adds channel <prefix>_assets once assets channels exist)',
    ),
});

/** A validated plugin entry. */
export type PluginConfig = z.output<typeof PluginConfigSchema>;
/** A plugin entry as written in configuration. */
export type PluginConfigInput = z.input<typeof PluginConfigSchema>;

/** A loaded plugin: its folders and the channels it adds. */
export interface Plugin {
  readonly prefix: string;
  /** The plugin folder, absolute. */
  readonly path: string;
  /** `<path>/tools` when the plugin has tools. */
  readonly toolsPath: string | undefined;
  /** `<path>/assets` when the plugin has assets (its channel comes with the assets channel). */
  readonly assetsPath: string | undefined;
  /** The `<prefix>_tools` channel when the plugin has tools. */
  readonly toolChannel: ToolChannel | undefined;
  /** Every channel the plugin adds, for a channel manager. */
  readonly channels: readonly Channel[];
}

/** How plugin folders are read. */
export interface LoadPluginsOptions {
  /** Folder that relative plugin paths start from (default: the working directory). */
  readonly baseDir?: string;
  /** Where the configuration came from, for messages (default `plugins`). */
  readonly source?: string;
  readonly importModule?: ImportModule;
  readonly onFileIgnored?: FileIgnoredListener;
  readonly clock?: Clock;
}

/**
 * Validates a `plugins` list: each entry `{ path, channelIdPrefix, hasTools, hasAssets }`, prefixes
 * unique. `ConfigError` names the entry (`plugins[1]`) and the field.
 */
export function parsePluginConfigs(input: unknown, source = 'plugins'): PluginConfig[] {
  if (!Array.isArray(input)) {
    throw new ConfigError(
      `${source} must be a list of { path, channelIdPrefix, hasTools, hasAssets }`,
      {
        source,
      },
    );
  }
  const seen = new Map<string, number>();
  return input.map((entry, index) => {
    const where = `${source}[${index}]`;
    const result = PluginConfigSchema.safeParse(entry);
    if (!result.success) {
      const problems = result.error.issues
        .map((issue) => `${issue.path.length ? issue.path.join('.') : '(entry)'}: ${issue.message}`)
        .join('; ');
      throw new ConfigError(`invalid plugin entry ${where}: ${problems}`, {
        source,
        entry: index,
        issues: result.error.issues,
      });
    }
    const earlier = seen.get(result.data.channelIdPrefix);
    if (earlier !== undefined) {
      throw new ConfigError(
        `plugin entries ${source}[${earlier}] and ${where} both use channelIdPrefix "${result.data.channelIdPrefix}": give each plugin its own prefix`,
        { source, entry: index, prefix: result.data.channelIdPrefix },
      );
    }
    seen.set(result.data.channelIdPrefix, index);
    return result.data;
  });
}

/**
 * Validates a `plugins` list and builds each plugin's channels: a `<prefix>_tools`
 * {@link ToolChannel} over `<path>/tools` when `hasTools`. Folders are scanned on first use.
 *
 * @example
 * const plugins = loadPlugins([{ path: 'plugins/acme', channelIdPrefix: 'acme', hasTools: true }]);
 * for (const plugin of plugins) for (const channel of plugin.channels) manager.add(channel);
 */
export function loadPlugins(input: unknown, options: LoadPluginsOptions = {}): Plugin[] {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  return parsePluginConfigs(input, options.source).map((config) => {
    const path = isAbsolute(config.path) ? config.path : resolve(baseDir, config.path);
    const toolsPath = config.hasTools ? join(path, 'tools') : undefined;
    const toolChannel = toolsPath
      ? new ToolChannel({
          id: `${config.channelIdPrefix}_tools`,
          path: toolsPath,
          ...(options.importModule ? { importModule: options.importModule } : {}),
          ...(options.onFileIgnored ? { onFileIgnored: options.onFileIgnored } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
        })
      : undefined;
    return {
      prefix: config.channelIdPrefix,
      path,
      toolsPath,
      assetsPath: config.hasAssets ? join(path, 'assets') : undefined,
      toolChannel,
      channels: toolChannel ? [toolChannel] : [],
    };
  });
}

/**
 * Finds tools across several tool channels.
 *
 * @deprecated use {@link CompositeToolSource} (the same, for any tool source).
 */
export class ToolResolver extends CompositeToolSource {
  /** A resolver over the tool channels among `channels` (e.g. a channel manager). */
  static fromChannels(channels: Iterable<Channel>): ToolResolver {
    return new ToolResolver([...channels].filter(isToolChannel));
  }

  /** @deprecated use `sources`. */
  get channels(): ToolSource[] {
    return this.sources;
  }
}
