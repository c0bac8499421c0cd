import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { readFirstAnswers } from './app/first-answers';
import { AppProvider, createAppQueryClient } from './app/provider';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const queryClient = createAppQueryClient();
void readFirstAnswers(queryClient).then(() =>
  createRoot(root).render(
    <StrictMode>
      <AppProvider client={queryClient}>
        <App />
      </AppProvider>
    </StrictMode>,
  ),
);
