import { createRoot } from 'react-dom/client';
import '../shared/theme.css';

createRoot(document.getElementById('root')!).render(<main className="card">Parley console — under construction</main>);
