import { createRoot } from 'react-dom/client';
import '../shared/theme.css';
import '../shared/layout.css';
import './supervisor.css';
import { App } from './App';

createRoot(document.getElementById('root')!).render(<App />);
