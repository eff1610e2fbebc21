// Mounts the source tree at /src so the wasm test binary reads the same
// fixtures as the native one (NODEFS, Node only).
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () {
  FS.mkdir('/src');
  FS.mount(NODEFS, { root: process.env.CLINIC_SOURCE_DIR || '.' }, '/src');
});
