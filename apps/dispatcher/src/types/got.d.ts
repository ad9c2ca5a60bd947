// got ships ES-module typings behind an `exports` map, which the workspace's
// `moduleResolution: node` cannot follow; point the bare specifier at them.
declare module 'got' {
  export * from 'got/dist/source/index';
  export { default } from 'got/dist/source/index';
}
