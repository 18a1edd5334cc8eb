// Renderer entry: mounts the app.
import 'uplot/dist/uPlot.min.css';
import '@pmm/ui/styles.css';
import './styles.css';
import { createRoot } from 'react-dom/client';
import { App } from './app';

createRoot(document.getElementById('root')!).render(<App />);
