/**
 * Entry point: connects the bridge (preload in the desktop app, WebSocket in browser mode), provides it to the
 * app as a service, and mounts the shell.
 */
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { connectBridge } from './bridge/connect.ts';
import { BRIDGE } from './bridge/inject.ts';
import { useToasts } from './stores/toasts.ts';
import './styles/theme.css';
import './styles/base.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const toasts = useToasts(pinia);
app.provide(
  BRIDGE,
  connectBridge((message) => toasts.lost(message)),
);
app.mount('#app');
