import { Cable, ScrollText, SlidersHorizontal, Upload } from 'lucide-react';
import type { WorkspaceView } from '@latchkey/api';
import { ConfigureTab } from '../configure/configure-tab';
import { ConnectTab } from '../connect/connect-tab';
import { LogsTab } from '../logs/logs-tab';
import { Tabs, type TabItem } from '../ui/tabs';
import type { TabId } from '../ui/use-route';
import { UploadTab } from '../upload/upload-tab';
import { WorkspaceHeader } from './workspace-header';

const TAB_ITEMS: TabItem<TabId>[] = [
  { id: 'upload', label: 'Upload', icon: <Upload aria-hidden size={16} /> },
  { id: 'configure', label: 'Configure', icon: <SlidersHorizontal aria-hidden size={16} /> },
  { id: 'connect', label: 'Connect', icon: <Cable aria-hidden size={16} /> },
  { id: 'logs', label: 'Logs', icon: <ScrollText aria-hidden size={16} /> },
];

export function WorkspacePage({ workspace, tab, onTab }: { workspace: WorkspaceView; tab: TabId; onTab(tab: TabId): void }) {
  return (
    <>
      <WorkspaceHeader workspace={workspace} />
      <Tabs label="Workspace" tabs={TAB_ITEMS} selected={tab} onSelect={onTab}>
        {tab === 'upload' && <UploadTab workspace={workspace} onConfigure={() => onTab('configure')} />}
        {tab === 'configure' && <ConfigureTab workspace={workspace} onUpload={() => onTab('upload')} />}
        {tab === 'connect' && <ConnectTab workspace={workspace} />}
        {tab === 'logs' && <LogsTab workspace={workspace} onConnect={() => onTab('connect')} />}
      </Tabs>
    </>
  );
}
