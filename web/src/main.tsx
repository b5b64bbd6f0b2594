import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@picocss/pico/css/pico.indigo.min.css';
import './styles.css';
import { App } from './app';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
