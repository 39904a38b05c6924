/** vmpath.conf (multipathd per-map settings): the format lives in model/vmpath-conf.ts (observe reads it too). */
export {
  VMPATH_CONF_PATH,
  FAILBACK_CONF_PATH,
  parseVmpathConf,
  renderVmpathConf,
  validateWwid,
  withSetting,
  type MapSettings,
} from '../model/vmpath-conf';
