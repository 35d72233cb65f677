<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About NE8000 Monitor</source>
        <translation>Sobre o NE8000 Monitor</translation>
    </message>
    <message>
        <source>NE8000 Monitor {version}</source>
        <translation>NE8000 Monitor {version}</translation>
    </message>
    <message>
        <source>Monitoring for Huawei NE8000 BRAS routers: subscribers, interfaces, traffic, system health and alarms, with audited, confirmed changes.</source>
        <translation>Monitoramento de roteadores BRAS Huawei NE8000: assinantes, interfaces, tráfego, saúde do sistema e alarmes, com alterações confirmadas e auditadas.</translation>
    </message>
    <message>
        <source>Version:</source>
        <translation>Versão:</translation>
    </message>
    <message>
        <source>Qt / PySide6:</source>
        <translation>Qt / PySide6:</translation>
    </message>
    <message>
        <source>Python:</source>
        <translation>Python:</translation>
    </message>
    <message>
        <source>Settings file:</source>
        <translation>Arquivo de configurações:</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>Pasta de dados:</translation>
    </message>
    <message>
        <source>Log folder:</source>
        <translation>Pasta de logs:</translation>
    </message>
    <message>
        <source>Passwords:</source>
        <translation>Senhas:</translation>
    </message>
    <message>
        <source>Demo:</source>
        <translation>Demonstração:</translation>
    </message>
    <message>
        <source>{router}: simulated NE8000 at {address}</source>
        <translation>{router}: NE8000 simulado em {address}</translation>
    </message>
    <message>
        <source>kept in memory for this session only</source>
        <translation>mantidas na memória apenas nesta sessão</translation>
    </message>
</context>
<context>
    <name>ActionsView</name>
    <message>
        <source>Interface</source>
        <translation>Interface</translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation>Atualizar lista</translation>
    </message>
    <message>
        <source>Shut down…</source>
        <translation>Desligar…</translation>
    </message>
    <message>
        <source>Undo shutdown…</source>
        <translation>Religar (undo shutdown)…</translation>
    </message>
    <message>
        <source>Subscriber</source>
        <translation>Assinante</translation>
    </message>
    <message>
        <source>Look up</source>
        <translation>Consultar</translation>
    </message>
    <message>
        <source>Disconnect (cut)…</source>
        <translation>Derrubar (cut)…</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Usuário</translation>
    </message>
    <message>
        <source>IPv4 address</source>
        <translation>Endereço IPv4</translation>
    </message>
    <message>
        <source>MAC</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>VLAN</source>
        <translation>VLAN</translation>
    </message>
    <message>
        <source>Access type</source>
        <translation>Tipo de acesso</translation>
    </message>
    <message>
        <source>Result and audit entry</source>
        <translation>Resultado e registro de auditoria</translation>
    </message>
    <message>
        <source>time:</source>
        <translation>hora:</translation>
    </message>
    <message>
        <source>user:</source>
        <translation>usuário:</translation>
    </message>
    <message>
        <source>router:</source>
        <translation>roteador:</translation>
    </message>
    <message>
        <source>outcome:</source>
        <translation>resultado:</translation>
    </message>
    <message>
        <source>commands:</source>
        <translation>comandos:</translation>
    </message>
    <message>
        <source>detail:</source>
        <translation>detalhe:</translation>
    </message>
    <message>
        <source>user name, IPv4 or MAC address (user@isp, 10.1.2.3, 00e0-fc12-3456)</source>
        <translation>usuário, endereço IPv4 ou MAC (usuario@isp, 10.1.2.3, 00e0-fc12-3456)</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>Erro inesperado: {error}</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Domínio</translation>
    </message>
    <message>
        <source>Online for</source>
        <translation>Online há</translation>
    </message>
    <message>
        <source>Disconnect subscriber</source>
        <translation>Derrubar assinante</translation>
    </message>
    <message>
        <source>Disconnect every session of {user} on {router} ({count} found by the last lookup). The subscriber can dial in again.</source>
        <translation>Derrubar todas as sessões de {user} em {router} ({count} encontradas na última consulta). O assinante poderá se conectar novamente.</translation>
    </message>
    <message>
        <source>Shut down interface</source>
        <translation>Desligar interface</translation>
    </message>
    <message>
        <source>Shut down {interface} on {router}. Traffic on it stops until it is brought back with undo shutdown.</source>
        <translation>Desligar {interface} em {router}. O tráfego nela para até ser religada com undo shutdown.</translation>
    </message>
    <message>
        <source>Bring interface back (undo shutdown)</source>
        <translation>Religar interface (undo shutdown)</translation>
    </message>
    <message>
        <source>Bring {interface} on {router} back up (undo shutdown).</source>
        <translation>Religar {interface} em {router} (undo shutdown).</translation>
    </message>
    <message>
        <source>Not sent: {error}</source>
        <translation>Não enviado: {error}</translation>
    </message>
    <message>
        <source>Cancelled; nothing was sent.</source>
        <translation>Cancelado; nada foi enviado.</translation>
    </message>
    <message>
        <source>Sending to {router}…</source>
        <translation>Enviando para {router}…</translation>
    </message>
    <message>
        <source>Failed: {error}</source>
        <translation>Falhou: {error}</translation>
    </message>
    <message>
        <source>{user}: cut sent; the router did not say how many sessions ended.</source>
        <translation>{user}: cut enviado; o roteador não informou quantas sessões foram encerradas.</translation>
    </message>
    <message numerus="yes">
        <source>{user}: %n session(s) disconnected.</source>
        <translation>
            <numerusform>{user}: %n sessão desconectada.</numerusform>
            <numerusform>{user}: %n sessões desconectadas.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{user}: %n session(s) online.</source>
        <translation>
            <numerusform>{user}: %n sessão online.</numerusform>
            <numerusform>{user}: %n sessões online.</numerusform>
        </translation>
    </message>
    <message>
        <source>The router did not print this value</source>
        <translation>O roteador não mostrou este valor</translation>
    </message>
    <message>
        <source>{interface} shut down and committed.</source>
        <translation>{interface} desligada e confirmada (commit).</translation>
    </message>
    <message>
        <source>{interface} brought back up (undo shutdown committed).</source>
        <translation>{interface} religada (undo shutdown confirmado com commit).</translation>
    </message>
    <message>
        <source>Router answer:</source>
        <translation>Resposta do roteador:</translation>
    </message>
    <message>
        <source>Audit log entry:</source>
        <translation>Registro no log de auditoria:</translation>
    </message>
    <message>
        <source>(no audit entry found)</source>
        <translation>(nenhum registro de auditoria encontrado)</translation>
    </message>
    <message>
        <source>Looking up {user}…</source>
        <translation>Consultando {user}…</translation>
    </message>
    <message>
        <source>Lookup failed: {error}</source>
        <translation>Falha na consulta: {error}</translation>
    </message>
    <message>
        <source>{user} is not online.</source>
        <translation>{user} não está online.</translation>
    </message>
</context>
<context>
    <name>AlarmsView</name>
    <message>
        <source>Severity</source>
        <translation>Severidade</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>Disparado</translation>
    </message>
    <message>
        <source>Router</source>
        <translation>Roteador</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensagem</translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation>Normalizado</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Reconhecido</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Reconhecer</translation>
    </message>
    <message>
        <source>Acknowledge the selected alerts (Ctrl+K)</source>
        <translation>Reconhecer os alertas selecionados (Ctrl+K)</translation>
    </message>
    <message>
        <source>Show cleared</source>
        <translation>Mostrar normalizados</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertas</translation>
    </message>
    <message>
        <source>Time (router)</source>
        <translation>Hora (roteador)</translation>
    </message>
    <message>
        <source>Alarm ID</source>
        <translation>ID do alarme</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Descrição</translation>
    </message>
    <message>
        <source>Active alarms on the router</source>
        <translation>Alarmes ativos no roteador</translation>
    </message>
    <message numerus="yes">
        <source>%n active</source>
        <translation>
            <numerusform>%n ativo</numerusform>
            <numerusform>%n ativos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not acknowledged</source>
        <translation>
            <numerusform>%n não reconhecido</numerusform>
            <numerusform>%n não reconhecidos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) acknowledged</source>
        <translation>
            <numerusform>%n alerta reconhecido</numerusform>
            <numerusform>%n alertas reconhecidos</numerusform>
        </translation>
    </message>
    <message>
        <source>Active alarms on the router (%1)</source>
        <translation>Alarmes ativos no roteador (%1)</translation>
    </message>
</context>
<context>
    <name>AlertKind</name>
    <message>
        <source>router unreachable</source>
        <translation>roteador inacessível</translation>
    </message>
    <message>
        <source>login refused</source>
        <translation>login recusado</translation>
    </message>
    <message>
        <source>no password</source>
        <translation>sem senha</translation>
    </message>
    <message>
        <source>subscriber drop</source>
        <translation>queda de assinantes</translation>
    </message>
    <message>
        <source>interface down</source>
        <translation>interface down</translation>
    </message>
    <message>
        <source>CPU high</source>
        <translation>CPU alta</translation>
    </message>
    <message>
        <source>memory high</source>
        <translation>memória alta</translation>
    </message>
    <message>
        <source>IP pool full</source>
        <translation>pool de IP cheio</translation>
    </message>
    <message>
        <source>router alarm</source>
        <translation>alarme do roteador</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Detalhes:</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <source>Feed</source>
        <translation>Feed</translation>
    </message>
    <message>
        <source>NE8000 Monitor cannot start</source>
        <translation>O NE8000 Monitor não pode iniciar</translation>
    </message>
</context>
<context>
    <name>ChangeConfirmDialog</name>
    <message>
        <source>Send to router</source>
        <translation>Enviar ao roteador</translation>
    </message>
    <message>
        <source>These exact lines will be sent:</source>
        <translation>Exatamente estas linhas serão enviadas:</translation>
    </message>
    <message>
        <source>{name} is a monitored uplink: shutting it down can disconnect subscribers. Type the interface name to confirm.</source>
        <translation>{name} é um uplink monitorado: desligá-lo pode derrubar assinantes. Digite o nome da interface para confirmar.</translation>
    </message>
</context>
<context>
    <name>Collector</name>
    <message>
        <source>Managed by the collector: routers, their passwords and host keys, the monitored interfaces, polling and alert delivery are changed in the collector&apos;s settings.</source>
        <translation>Gerenciado pelo coletor: roteadores, suas senhas e chaves de host, as interfaces monitoradas, a coleta e o envio de alertas são alterados nas configurações do coletor.</translation>
    </message>
    <message>
        <source>Connected since %1</source>
        <translation>Conectado desde %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Refused by the collector since %1</source>
        <translation>Recusado pelo coletor desde %1</translation>
    </message>
    <message>
        <source>Collector unreachable since %1</source>
        <translation>Coletor inacessível desde %1</translation>
    </message>
    <message numerus="yes">
        <source>retrying in %n s</source>
        <translation>
            <numerusform>nova tentativa em %n s</numerusform>
            <numerusform>nova tentativa em %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;b&gt;Collector mode&lt;/b&gt; – data from %1 as seat %2</source>
        <translation>&lt;b&gt;Modo coletor&lt;/b&gt; – dados de %1 como posto %2</translation>
    </message>
    <message>
        <source>&lt;b&gt;Collector mode&lt;/b&gt; – data from %1</source>
        <translation>&lt;b&gt;Modo coletor&lt;/b&gt; – dados de %1</translation>
    </message>
    <message>
        <source>(collector %1)</source>
        <translation>(coletor %1)</translation>
    </message>
</context>
<context>
    <name>CollectorTab</name>
    <message>
        <source>A collector is an `ne8000monitor serve` on the LAN that holds the only sessions to the routers. Connected to it, this window shows its data and sends console lines and changes through it, opening no session of its own.</source>
        <translation>Um coletor é um `ne8000monitor serve` na rede local que mantém as únicas sessões com os roteadores. Conectada a ele, esta janela mostra os dados dele e envia comandos de console e alterações por meio dele, sem abrir nenhuma sessão própria.</translation>
    </message>
    <message>
        <source>Connect to a collector</source>
        <translation>Conectar a um coletor</translation>
    </message>
    <message>
        <source>https://collector.noc.example:8000</source>
        <translation>https://coletor.noc.exemplo:8000</translation>
    </message>
    <message>
        <source>kept in the OS keyring; leave empty to keep the stored one</source>
        <translation>guardado no chaveiro do sistema; deixe vazio para manter o guardado</translation>
    </message>
    <message>
        <source>this seat&apos;s token (ne8000monitor token add NAME on the collector)</source>
        <translation>o token deste posto (ne8000monitor token add NOME no coletor)</translation>
    </message>
    <message>
        <source>only for a self-signed https certificate: the SHA-256 `serve` prints</source>
        <translation>só para um certificado https autoassinado: o SHA-256 que o `serve` mostra</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Testar conexão</translation>
    </message>
    <message>
        <source>The window connects to the collector (or back to the routers) at its next start.</source>
        <translation>A janela se conecta ao coletor (ou volta aos roteadores) na próxima vez que for aberta.</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Endereço:</translation>
    </message>
    <message>
        <source>Token:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <source>Certificate fingerprint:</source>
        <translation>Impressão digital do certificado:</translation>
    </message>
    <message>
        <source>The collector&apos;s address must be an http:// or https:// URL.</source>
        <translation>O endereço do coletor deve ser uma URL http:// ou https://.</translation>
    </message>
    <message>
        <source>A certificate fingerprint needs an https:// collector address.</source>
        <translation>Uma impressão digital de certificado exige um endereço https:// do coletor.</translation>
    </message>
    <message>
        <source>The fingerprint is 64 hexadecimal digits (AB:CD:… as the collector prints it).</source>
        <translation>A impressão digital tem 64 dígitos hexadecimais (AB:CD:… como o coletor a mostra).</translation>
    </message>
    <message>
        <source>The token must not contain spaces.</source>
        <translation>O token não pode conter espaços.</translation>
    </message>
    <message>
        <source>Asking the collector…</source>
        <translation>Consultando o coletor…</translation>
    </message>
    <message>
        <source>Not connected: {error}</source>
        <translation>Não conectado: {error}</translation>
    </message>
    <message>
        <source>(shared token or none)</source>
        <translation>(token compartilhado ou nenhum)</translation>
    </message>
    <message>
        <source>Connected: collector {version}, seat {seat}, routers: {routers}.</source>
        <translation>Conectado: coletor {version}, posto {seat}, roteadores: {routers}.</translation>
    </message>
    <message>
        <source>It does not accept console lines or changes from seats.</source>
        <translation>Ele não aceita comandos de console nem alterações vindos dos postos.</translation>
    </message>
    <message>
        <source>It accepts read-only console lines; no changes.</source>
        <translation>Ele aceita apenas comandos de console de leitura; nenhuma alteração.</translation>
    </message>
</context>
<context>
    <name>ConsoleView</name>
    <message>
        <source>Find in output</source>
        <translation>Localizar na saída</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Anterior</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Próximo</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
    <message>
        <source>Find:</source>
        <translation>Localizar:</translation>
    </message>
    <message>
        <source>display version</source>
        <translation>display version</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Executar</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Parar</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Limpar</translation>
    </message>
    <message>
        <source>Operator mode</source>
        <translation>Modo operador</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>Somente leitura</translation>
    </message>
    <message>
        <source>Not sent: the command was not confirmed.</source>
        <translation>Não enviado: o comando não foi confirmado.</translation>
    </message>
    <message>
        <source>Running {line}…</source>
        <translation>Executando {line}…</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Interrompido.</translation>
    </message>
    <message>
        <source>(then sent to leave the session clean: {lines})</source>
        <translation>(enviado em seguida para deixar a sessão limpa: {lines})</translation>
    </message>
    <message>
        <source>Done: {lines} lines.</source>
        <translation>Concluído: {lines} linhas.</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>Erro inesperado: {error}</translation>
    </message>
    <message>
        <source>Show sensitive output</source>
        <translation>Mostrar saída sensível</translation>
    </message>
    <message>
        <source>The answer of this command on {router} can hold secrets: the configuration shows password hashes, keys and SNMP communities, and displays outside the read-only list may too. Anyone who sees the screen sees them. The command is written to the audit log. Run it?</source>
        <translation>A resposta deste comando em {router} pode conter segredos: a configuração mostra hashes de senhas, chaves e comunidades SNMP, e displays fora da lista somente leitura também podem mostrar. Quem vê a tela vê esses dados. O comando é gravado no log de auditoria. Executar?</translation>
    </message>
    <message>
        <source>Send a configuration command</source>
        <translation>Enviar um comando de configuração</translation>
    </message>
    <message>
        <source>Send this command to {router}? It may change the router and is written to the audit log.</source>
        <translation>Enviar este comando para {router}? Ele pode alterar o roteador e será gravado no log de auditoria.</translation>
    </message>
    <message>
        <source>Wrapped</source>
        <translation>Recomeçou do início</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Não encontrado</translation>
    </message>
</context>
<context>
    <name>Delivery</name>
    <message>
        <source>Alertmanager</source>
        <translation>Alertmanager</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notificações</translation>
    </message>
    <message>
        <source>%1: off</source>
        <translation>%1: desligado</translation>
    </message>
    <message>
        <source>%1: failing (last attempt %2): %3</source>
        <translation>%1: falhando (última tentativa %2): %3</translation>
    </message>
    <message>
        <source>%1: delivering (last at %2)</source>
        <translation>%1: entregando (última às %2)</translation>
    </message>
    <message>
        <source>%1: ready, nothing sent yet</source>
        <translation>%1: pronto, nada enviado ainda</translation>
    </message>
    <message>
        <source>Alert delivery failing</source>
        <translation>Entrega de alertas falhando</translation>
    </message>
    <message>
        <source>%1 failing</source>
        <translation>%1 falhando</translation>
    </message>
</context>
<context>
    <name>EngineMessage</name>
    <message>
        <source>the router did not answer in time</source>
        <translation>o roteador não respondeu a tempo</translation>
    </message>
    <message>
        <source>the router is unreachable</source>
        <translation>o roteador está inacessível</translation>
    </message>
    <message>
        <source>the login failed</source>
        <translation>o login falhou</translation>
    </message>
    <message>
        <source>the router&apos;s host key changed</source>
        <translation>a chave de host do roteador mudou</translation>
    </message>
    <message>
        <source>no SSH algorithm in common</source>
        <translation>nenhum algoritmo SSH em comum</translation>
    </message>
    <message>
        <source>no password stored</source>
        <translation>nenhuma senha guardada</translation>
    </message>
    <message>
        <source>every VTY line of the router is in use</source>
        <translation>todas as linhas VTY do roteador estão em uso</translation>
    </message>
    <message>
        <source>the connection dropped</source>
        <translation>a conexão caiu</translation>
    </message>
    <message>
        <source>the router rejected the command</source>
        <translation>o roteador rejeitou o comando</translation>
    </message>
    <message>
        <source>the router&apos;s answer could not be read</source>
        <translation>não foi possível ler a resposta do roteador</translation>
    </message>
    <message>
        <source>this command is not supported</source>
        <translation>este comando não é suportado</translation>
    </message>
    <message>
        <source>too many commands: rate limited</source>
        <translation>comandos demais: limite de taxa atingido</translation>
    </message>
    <message>
        <source>router error</source>
        <translation>erro do roteador</translation>
    </message>
    <message>
        <source>the value was refused</source>
        <translation>o valor foi recusado</translation>
    </message>
    <message>
        <source>internal error (details in the log)</source>
        <translation>erro interno (detalhes no log)</translation>
    </message>
    <message>
        <source>collector unreachable</source>
        <translation>coletor inacessível</translation>
    </message>
    <message>
        <source>no password is stored for it</source>
        <translation>não há senha guardada para ele</translation>
    </message>
    <message>
        <source>there is no usable OS keyring, so passwords are kept for this session only, and its password was not entered since the app started</source>
        <translation>não há chaveiro do sistema utilizável, então as senhas ficam só nesta sessão, e a senha dele não foi digitada desde que o aplicativo abriu</translation>
    </message>
    <message>
        <source>the OS keyring could not be read (is it locked?)</source>
        <translation>não foi possível ler o chaveiro do sistema (ele está bloqueado?)</translation>
    </message>
    <message>
        <source>Router {router} is unreachable</source>
        <translation>Roteador {router} inacessível</translation>
    </message>
    <message>
        <source>Router {router} is unreachable: {reason}</source>
        <translation>Roteador {router} inacessível: {reason}</translation>
    </message>
    <message>
        <source>Router {router} refused the login: wrong username or password (fix it in Edit router; retrying could lock the account)</source>
        <translation>O roteador {router} recusou o login: usuário ou senha errados (corrija em Editar roteador; tentar de novo pode bloquear a conta)</translation>
    </message>
    <message>
        <source>Router {router} has no password: {reason}</source>
        <translation>O roteador {router} está sem senha: {reason}</translation>
    </message>
    <message>
        <source>Mass subscriber drop on {router}: online total fell by {percent}% ({before} -&gt; {after}) within {seconds} s</source>
        <translation>Queda em massa de assinantes em {router}: o total online caiu {percent}% ({before} -&gt; {after}) em {seconds} s</translation>
    </message>
    <message>
        <source>Mass subscriber drop on {router}: online total fell within {seconds} s</source>
        <translation>Queda em massa de assinantes em {router}: o total online caiu em {seconds} s</translation>
    </message>
    <message>
        <source>Monitored interface {interface} on {router} is down</source>
        <translation>A interface monitorada {interface} em {router} está down</translation>
    </message>
    <message numerus="yes">
        <source>CPU usage on {router} is {percent}% (&gt;= {threshold}% for %n polls)</source>
        <translation>
            <numerusform>Uso de CPU em {router} está em {percent}% (&gt;= {threshold}% por %n consulta)</numerusform>
            <numerusform>Uso de CPU em {router} está em {percent}% (&gt;= {threshold}% por %n consultas)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Memory usage on {router} is {percent}% (&gt;= {threshold}% for %n polls)</source>
        <translation>
            <numerusform>Uso de memória em {router} está em {percent}% (&gt;= {threshold}% por %n consulta)</numerusform>
            <numerusform>Uso de memória em {router} está em {percent}% (&gt;= {threshold}% por %n consultas)</numerusform>
        </translation>
    </message>
    <message>
        <source>IP pool {pool} on {router} is {percent}% used (threshold {threshold}%)</source>
        <translation>Pool de IP {pool} em {router} está {percent}% usado (limite {threshold}%)</translation>
    </message>
    <message>
        <source>{router} alarm {alarm}: {description}</source>
        <translation>{router} alarme {alarm}: {description}</translation>
    </message>
    <message>
        <source>change abandoned, nothing committed: {reason}</source>
        <translation>alteração abandonada, nada foi confirmado (commit): {reason}</translation>
    </message>
    <message>
        <source>no answer to {line}: the change may or may not have taken effect; check the router ({reason})</source>
        <translation>sem resposta a {line}: a alteração pode ou não ter sido aplicada; verifique o roteador ({reason})</translation>
    </message>
    <message>
        <source>{interface} is not in the interface list of {router}; refresh the list and pick one of its interfaces</source>
        <translation>{interface} não está na lista de interfaces de {router}; atualize a lista e escolha uma das interfaces dele</translation>
    </message>
    <message>
        <source>the interface list of {router} is not known yet; wait for the first poll</source>
        <translation>a lista de interfaces de {router} ainda não é conhecida; aguarde a primeira consulta</translation>
    </message>
    <message>
        <source>{path} was written by a newer version of NE8000 Monitor (history schema {found}; this version reads up to {supported}): upgrade NE8000 Monitor, or move the file away to start a new history</source>
        <translation>{path} foi gravado por uma versão mais nova do NE8000 Monitor (esquema de histórico {found}; esta versão lê até o {supported}): atualize o NE8000 Monitor ou mova o arquivo para começar um histórico novo</translation>
    </message>
    <message>
        <source>enter a user name, an IPv4 address or a MAC address</source>
        <translation>digite um usuário, um endereço IPv4 ou um endereço MAC</translation>
    </message>
    <message>
        <source>{address} is an IPv6 address: look the subscriber up by name or MAC</source>
        <translation>{address} é um endereço IPv6: procure o assinante pelo usuário ou pelo MAC</translation>
    </message>
    <message>
        <source>logged in as {user} and read the version: {version}</source>
        <translation>login como {user} feito e versão lida: {version}</translation>
    </message>
</context>
<context>
    <name>Freshness</name>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Memória</translation>
    </message>
    <message>
        <source>Boards</source>
        <translation>Placas</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versão</translation>
    </message>
    <message>
        <source>Router alarms</source>
        <translation>Alarmes do roteador</translation>
    </message>
    <message>
        <source>Interfaces</source>
        <translation>Interfaces</translation>
    </message>
    <message>
        <source>Online subscribers</source>
        <translation>Assinantes online</translation>
    </message>
    <message>
        <source>Domains</source>
        <translation>Domínios</translation>
    </message>
    <message>
        <source>IP pools</source>
        <translation>Pools de IP</translation>
    </message>
    <message>
        <source>Slots</source>
        <translation>Slots</translation>
    </message>
    <message>
        <source>Subscriber summary</source>
        <translation>Resumo de assinantes</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>Tráfego</translation>
    </message>
    <message numerus="yes">
        <source>failed polls: %n</source>
        <translation>
            <numerusform>%n consulta falhou</numerusform>
            <numerusform>%n consultas falharam</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>read in part, lines not understood: %n</source>
        <translation>
            <numerusform>lido em parte, %n linha não entendida</numerusform>
            <numerusform>lido em parte, %n linhas não entendidas</numerusform>
        </translation>
    </message>
    <message>
        <source>no data yet</source>
        <translation>ainda sem dados</translation>
    </message>
    <message>
        <source>stale since %1</source>
        <translation>desatualizado desde %1</translation>
    </message>
    <message>
        <source>no new answer from the router</source>
        <translation>sem resposta nova do roteador</translation>
    </message>
    <message>
        <source>No data yet</source>
        <translation>Ainda sem dados</translation>
    </message>
    <message>
        <source>Stale since %1</source>
        <translation>Desatualizado desde %1</translation>
    </message>
    <message>
        <source>Read in part</source>
        <translation>Lido em parte</translation>
    </message>
    <message>
        <source>First line not understood:</source>
        <translation>Primeira linha não entendida:</translation>
    </message>
</context>
<context>
    <name>FreshnessBar</name>
    <message>
        <source>Show router output…</source>
        <translation>Mostrar a saída do roteador…</translation>
    </message>
</context>
<context>
    <name>HostKeyDialog</name>
    <message>
        <source>Reject</source>
        <translation>Rejeitar</translation>
    </message>
    <message>
        <source>WARNING: host key of {router} changed</source>
        <translation>ATENÇÃO: a chave de host de {router} mudou</translation>
    </message>
    <message>
        <source>The SSH host key of {router} ({where}) has CHANGED.</source>
        <translation>A chave de host SSH de {router} ({where}) MUDOU.</translation>
    </message>
    <message>
        <source>Someone could be intercepting the connection (man-in-the-middle), or the router was replaced or reinstalled. Do not accept unless the router&apos;s administrator confirms the new fingerprint. Until then the app will not log in to this router.</source>
        <translation>Alguém pode estar interceptando a conexão (man-in-the-middle), ou o roteador foi trocado ou reinstalado. Não aceite sem que o administrador do roteador confirme a nova impressão digital. Até lá o aplicativo não fará login neste roteador.</translation>
    </message>
    <message>
        <source>Trusted until now (SHA256):</source>
        <translation>Confiável até agora (SHA256):</translation>
    </message>
    <message>
        <source>Offered now (SHA256):</source>
        <translation>Apresentada agora (SHA256):</translation>
    </message>
    <message>
        <source>I verified the new fingerprint with the router&apos;s administrator</source>
        <translation>Conferi a nova impressão digital com o administrador do roteador</translation>
    </message>
    <message>
        <source>Accept new key</source>
        <translation>Aceitar nova chave</translation>
    </message>
    <message>
        <source>New router host key: {router}</source>
        <translation>Nova chave de host do roteador: {router}</translation>
    </message>
    <message>
        <source>First connection to {router} ({where}).</source>
        <translation>Primeira conexão com {router} ({where}).</translation>
    </message>
    <message>
        <source>The router presents the SSH host key below. Compare its fingerprint with the one shown on the router (display ssh server-info / the key you generated) before trusting it. Once trusted, any change is reported.</source>
        <translation>O roteador apresenta a chave de host SSH abaixo. Compare a impressão digital com a mostrada no roteador (display ssh server-info / a chave que você gerou) antes de confiar nela. Depois de confiável, qualquer mudança será informada.</translation>
    </message>
    <message>
        <source>Fingerprint (SHA256):</source>
        <translation>Impressão digital (SHA256):</translation>
    </message>
    <message>
        <source>Trust and connect</source>
        <translation>Confiar e conectar</translation>
    </message>
    <message>
        <source>Host key not trusted</source>
        <translation>Chave de host não aceita</translation>
    </message>
    <message>
        <source>Cannot read the host key</source>
        <translation>Não foi possível ler a chave de host</translation>
    </message>
</context>
<context>
    <name>InterfacesView</name>
    <message>
        <source>Monitored</source>
        <translation>Monitorada</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Interface</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Descrição</translation>
    </message>
    <message>
        <source>PHY</source>
        <translation>PHY</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>In util.</source>
        <translation>Uso entrada</translation>
    </message>
    <message>
        <source>Out util.</source>
        <translation>Uso saída</translation>
    </message>
    <message>
        <source>In errors</source>
        <translation>Erros entrada</translation>
    </message>
    <message>
        <source>Out errors</source>
        <translation>Erros saída</translation>
    </message>
    <message>
        <source>In bit/s</source>
        <translation>Entrada bit/s</translation>
    </message>
    <message>
        <source>Out bit/s</source>
        <translation>Saída bit/s</translation>
    </message>
    <message>
        <source>Filter interfaces (name, description, state)</source>
        <translation>Filtrar interfaces (nome, descrição, estado)</translation>
    </message>
    <message>
        <source>Only monitored</source>
        <translation>Somente monitoradas</translation>
    </message>
    <message>
        <source>Legend:</source>
        <translation>Legenda:</translation>
    </message>
    <message>
        <source>up</source>
        <translation>up</translation>
    </message>
    <message>
        <source>down</source>
        <translation>down</translation>
    </message>
    <message>
        <source>administratively down (*down)</source>
        <translation>desligada administrativamente (*down)</translation>
    </message>
    <message>
        <source>standby (^down)</source>
        <translation>standby (^down)</translation>
    </message>
    <message>
        <source>Interfaces: no data yet</source>
        <translation>Interfaces: ainda sem dados</translation>
    </message>
    <message numerus="yes">
        <source>%n interfaces</source>
        <translation>
            <numerusform>%n interface</numerusform>
            <numerusform>%n interfaces</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n down</source>
        <translation>
            <numerusform>%n down</numerusform>
            <numerusform>%n down</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot change monitored interfaces: %1</source>
        <translation>Não foi possível alterar as interfaces monitoradas: %1</translation>
    </message>
    <message>
        <source>Shut down %1…</source>
        <translation>Desligar %1…</translation>
    </message>
    <message>
        <source>Undo shutdown of %1…</source>
        <translation>Religar %1 (undo shutdown)…</translation>
    </message>
    <message>
        <source>Stop monitoring</source>
        <translation>Parar de monitorar</translation>
    </message>
    <message>
        <source>Monitor this interface</source>
        <translation>Monitorar esta interface</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>%1 on %2</source>
        <translation>%1 em %2</translation>
    </message>
    <message>
        <source>&lt;b&gt;Demo — simulated NE8000&lt;/b&gt; (%1). Add a router to monitor a real one.</source>
        <translation>&lt;b&gt;Demonstração — NE8000 simulado&lt;/b&gt; (%1). Adicione um roteador para monitorar um real.</translation>
    </message>
    <message>
        <source>Add router…</source>
        <translation>Adicionar roteador…</translation>
    </message>
    <message>
        <source>&amp;Add router…</source>
        <translation>&amp;Adicionar roteador…</translation>
    </message>
    <message>
        <source>&amp;Edit router…</source>
        <translation>&amp;Editar roteador…</translation>
    </message>
    <message>
        <source>&amp;Remove router…</source>
        <translation>&amp;Remover roteador…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Configurações…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Sair</translation>
    </message>
    <message>
        <source>All &amp;routers</source>
        <translation>&amp;Todos os roteadores</translation>
    </message>
    <message>
        <source>&amp;Next router</source>
        <translation>&amp;Próximo roteador</translation>
    </message>
    <message>
        <source>&amp;Previous router</source>
        <translation>Roteador a&amp;nterior</translation>
    </message>
    <message>
        <source>&amp;Acknowledge selected alerts</source>
        <translation>Re&amp;conhecer alertas selecionados</translation>
    </message>
    <message>
        <source>&amp;Pause/resume traffic</source>
        <translation>Pa&amp;usar/retomar tráfego</translation>
    </message>
    <message>
        <source>&amp;Find interface</source>
        <translation>&amp;Localizar interface</translation>
    </message>
    <message>
        <source>&amp;Full screen</source>
        <translation>Tela c&amp;heia</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>&amp;Sobre</translation>
    </message>
    <message>
        <source>Tab %1</source>
        <translation>Aba %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Arquivo</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Exibir</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Ferramentas</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aj&amp;uda</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Principal</translation>
    </message>
    <message>
        <source>Closing dashboard</source>
        <translation>Fechando o painel</translation>
    </message>
    <message>
        <source>demo</source>
        <translation>demonstração</translation>
    </message>
    <message>
        <source>collector</source>
        <translation>coletor</translation>
    </message>
    <message>
        <source>Select active alerts to acknowledge</source>
        <translation>Selecione alertas ativos para reconhecer</translation>
    </message>
    <message>
        <source>Router %1 saved</source>
        <translation>Roteador %1 salvo</translation>
    </message>
    <message>
        <source>Removing router %1</source>
        <translation>Removendo o roteador %1</translation>
    </message>
    <message>
        <source>Router %1 removed</source>
        <translation>Roteador %1 removido</translation>
    </message>
    <message>
        <source>Reconnecting %1</source>
        <translation>Reconectando %1</translation>
    </message>
    <message>
        <source>Checking the host key of %1</source>
        <translation>Verificando a chave de host de %1</translation>
    </message>
    <message>
        <source>The new language applies after a restart.</source>
        <translation>O novo idioma vale após reiniciar o aplicativo.</translation>
    </message>
    <message>
        <source>Still running in the tray</source>
        <translation>Continua em execução na bandeja do sistema</translation>
    </message>
</context>
<context>
    <name>OverviewView</name>
    <message>
        <source>Router</source>
        <translation>Roteador</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Subscribers</source>
        <translation>Assinantes</translation>
    </message>
    <message>
        <source>Uplinks in / out</source>
        <translation>Uplinks entrada / saída</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Memória</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n routers reporting</source>
        <translation>
            <numerusform>%1 de %n roteador informando</numerusform>
            <numerusform>%1 de %n roteadores informando</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n connected</source>
        <translation>
            <numerusform>%n conectado</numerusform>
            <numerusform>%n conectados</numerusform>
        </translation>
    </message>
    <message>
        <source>no active alerts</source>
        <translation>nenhum alerta ativo</translation>
    </message>
    <message>
        <source>Loading subscriber trends</source>
        <translation>Carregando tendências de assinantes</translation>
    </message>
    <message>
        <source>No subscriber history in the last hour yet</source>
        <translation>Ainda sem histórico de assinantes na última hora</translation>
    </message>
    <message>
        <source>Subscribers since %1 (%2): lowest %3, highest %4</source>
        <translation>Assinantes desde %1 (%2): mínimo %3, máximo %4</translation>
    </message>
    <message>
        <source>No monitored uplinks: tick Monitored on the router&apos;s Interfaces tab</source>
        <translation>Nenhum uplink monitorado: marque Monitorada na aba Interfaces do roteador</translation>
    </message>
    <message>
        <source>Not every rate is current (greyed)</source>
        <translation>Nem todas as taxas estão atuais (em cinza)</translation>
    </message>
    <message>
        <source>Last data</source>
        <translation>Últimos dados</translation>
    </message>
    <message>
        <source>Trend</source>
        <translation>Tendência</translation>
    </message>
    <message>
        <source>Active alerts</source>
        <translation>Alertas ativos</translation>
    </message>
    <message>
        <source>Online subscribers, all routers</source>
        <translation>Assinantes online, todos os roteadores</translation>
    </message>
    <message>
        <source>Routers</source>
        <translation>Roteadores</translation>
    </message>
</context>
<context>
    <name>RouterDashboard</name>
    <message>
        <source>&amp;Subscribers</source>
        <translation>&amp;Assinantes</translation>
    </message>
    <message>
        <source>S&amp;ystem</source>
        <translation>S&amp;istema</translation>
    </message>
    <message>
        <source>&amp;Interfaces</source>
        <translation>&amp;Interfaces</translation>
    </message>
    <message>
        <source>&amp;Traffic</source>
        <translation>&amp;Tráfego</translation>
    </message>
    <message>
        <source>&amp;Alarms</source>
        <translation>A&amp;larmes</translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation>&amp;Console</translation>
    </message>
    <message>
        <source>Ac&amp;tions</source>
        <translation>A&amp;ções</translation>
    </message>
</context>
<context>
    <name>RouterDialog</name>
    <message>
        <source>Add router</source>
        <translation>Adicionar roteador</translation>
    </message>
    <message>
        <source>Edit router {name}</source>
        <translation>Editar roteador {name}</translation>
    </message>
    <message>
        <source>e.g. bras-sp1</source>
        <translation>ex.: bras-sp1</translation>
    </message>
    <message>
        <source>IP address or host name</source>
        <translation>Endereço IP ou nome do host</translation>
    </message>
    <message>
        <source>stored in the OS keyring</source>
        <translation>guardada no chaveiro do sistema</translation>
    </message>
    <message>
        <source>leave empty to keep the stored password</source>
        <translation>deixe em branco para manter a senha guardada</translation>
    </message>
    <message>
        <source>SSH</source>
        <translation>SSH</translation>
    </message>
    <message>
        <source>There is no usable OS keyring: the password is kept in memory until the app closes (never written to a file); after a restart, enter it again here.</source>
        <translation>Não há chaveiro do sistema utilizável: a senha fica na memória até o aplicativo fechar (nunca é gravada em arquivo); depois de reiniciar, digite-a de novo aqui.</translation>
    </message>
    <message>
        <source>Telnet (cleartext)</source>
        <translation>Telnet (texto aberto)</translation>
    </message>
    <message>
        <source>Telnet sends the password and every command in cleartext. Use it only on a trusted, isolated management network.</source>
        <translation>O Telnet envia a senha e todos os comandos em texto aberto. Use apenas em uma rede de gerência confiável e isolada.</translation>
    </message>
    <message>
        <source>Allow legacy SSH algorithms</source>
        <translation>Permitir algoritmos SSH legados</translation>
    </message>
    <message>
        <source>Legacy algorithms (diffie-hellman-group1/group14-sha1, CBC ciphers) are weak. Enable them only for old routers that offer nothing better.</source>
        <translation>Algoritmos legados (diffie-hellman-group1/group14-sha1, cifras CBC) são fracos. Ative apenas para roteadores antigos que não oferecem nada melhor.</translation>
    </message>
    <message>
        <source>Sessions the app keeps open to this router (VTY lines are shared with people)</source>
        <translation>Sessões que o aplicativo mantém abertas com este roteador (as linhas VTY são compartilhadas com as pessoas)</translation>
    </message>
    <message>
        <source>Most VTY lines the app may ever use on this router</source>
        <translation>Máximo de linhas VTY que o aplicativo pode usar neste roteador</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Conexão</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Nome:</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Porta:</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>Protocolo:</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>Usuário:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Senha:</translation>
    </message>
    <message>
        <source>Sessions and intervals</source>
        <translation>Sessões e intervalos</translation>
    </message>
    <message>
        <source>Sessions (pool size):</source>
        <translation>Sessões (tamanho do pool):</translation>
    </message>
    <message>
        <source>VTY budget:</source>
        <translation>Limite de VTY:</translation>
    </message>
    <message>
        <source>Connect timeout:</source>
        <translation>Tempo limite de conexão:</translation>
    </message>
    <message>
        <source>Command timeout:</source>
        <translation>Tempo limite de comando:</translation>
    </message>
    <message>
        <source>Keepalive interval:</source>
        <translation>Intervalo de keepalive:</translation>
    </message>
    <message>
        <source>Test login</source>
        <translation>Testar login</translation>
    </message>
    <message>
        <source>Check the host key, log in and read display version, without saving</source>
        <translation>Verifica a chave de host, faz login e lê display version, sem salvar</translation>
    </message>
    <message>
        <source>kept for this session only (no OS keyring)</source>
        <translation>guardada só nesta sessão (sem chaveiro do sistema)</translation>
    </message>
    <message>
        <source>leave empty to keep this session&apos;s password</source>
        <translation>deixe vazio para manter a senha desta sessão</translation>
    </message>
    <message>
        <source>This router has no password: {reason}. Enter it to connect.</source>
        <translation>Este roteador está sem senha: {reason}. Digite-a para conectar.</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>Erro inesperado: {error}</translation>
    </message>
    <message>
        <source>Test login passed: {result}</source>
        <translation>Teste de login aprovado: {result}</translation>
    </message>
    <message>
        <source>Test login failed: {reason}</source>
        <translation>Falha no teste de login: {reason}</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Detalhes:</translation>
    </message>
    <message>
        <source>(wrong username or password)</source>
        <translation>(usuário ou senha errados)</translation>
    </message>
    <message>
        <source>The host key was not trusted; nothing was tested.</source>
        <translation>A chave de host não foi aceita; nada foi testado.</translation>
    </message>
    <message>
        <source>Logging in to {host}:{port}…</source>
        <translation>Fazendo login em {host}:{port}…</translation>
    </message>
    <message>
        <source>The form changed during the test login; test again.</source>
        <translation>O formulário mudou durante o teste de login; teste novamente.</translation>
    </message>
    <message>
        <source>Enter a name for the router.</source>
        <translation>Informe um nome para o roteador.</translation>
    </message>
    <message>
        <source>The name may use letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos; (up to 64 characters, starting with a letter or digit).</source>
        <translation>O nome pode ter letras, dígitos, &apos;.&apos;, &apos;_&apos; e &apos;-&apos; (até 64 caracteres, começando por letra ou dígito).</translation>
    </message>
    <message>
        <source>A router named {name} already exists.</source>
        <translation>Já existe um roteador chamado {name}.</translation>
    </message>
    <message>
        <source>Enter the router&apos;s IP address or host name.</source>
        <translation>Informe o endereço IP ou o nome do host do roteador.</translation>
    </message>
    <message>
        <source>{host} is not a valid address or host name.</source>
        <translation>{host} não é um endereço ou nome de host válido.</translation>
    </message>
    <message>
        <source>Enter a username without spaces.</source>
        <translation>Informe um usuário sem espaços.</translation>
    </message>
    <message>
        <source>The session count ({sessions}) cannot exceed the VTY budget ({budget}).</source>
        <translation>O número de sessões ({sessions}) não pode passar do limite de VTY ({budget}).</translation>
    </message>
    <message>
        <source>Enter the router&apos;s password (it is kept in the OS keyring).</source>
        <translation>Informe a senha do roteador (ela fica guardada no chaveiro do sistema).</translation>
    </message>
    <message>
        <source>Enter the router&apos;s password (without an OS keyring it is kept for this session only).</source>
        <translation>Digite a senha do roteador (sem chaveiro do sistema ela fica guardada só nesta sessão).</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Salvando…</translation>
    </message>
    <message>
        <source>Could not save the router: {error}</source>
        <translation>Não foi possível salvar o roteador: {error}</translation>
    </message>
    <message>
        <source>Contacting {host}:{port} for its host key…</source>
        <translation>Contatando {host}:{port} para obter a chave de host…</translation>
    </message>
    <message>
        <source>Waiting for the host key to be confirmed…</source>
        <translation>Aguardando a confirmação da chave de host…</translation>
    </message>
    <message>
        <source>The host key was not trusted; the router was not saved.</source>
        <translation>A chave de host não foi aceita; o roteador não foi salvo.</translation>
    </message>
    <message>
        <source>Router not reachable</source>
        <translation>Roteador inacessível</translation>
    </message>
    <message>
        <source>Could not fetch the router&apos;s host key: {reason}

Save anyway? Its key will then be trusted on the first successful connection, without this check.</source>
        <translation>Não foi possível obter a chave de host do roteador: {reason}

Salvar mesmo assim? A chave será aceita na primeira conexão bem-sucedida, sem esta verificação.</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>Não salvo: {reason}</translation>
    </message>
    <message>
        <source>Test login failed</source>
        <translation>Falha no teste de login</translation>
    </message>
    <message>
        <source>The test login failed: {reason}

Save the router anyway? The app will keep trying to connect with these settings.</source>
        <translation>O teste de login falhou: {reason}

Salvar o roteador mesmo assim? O aplicativo continuará tentando conectar com estas configurações.</translation>
    </message>
    <message>
        <source>Not saved: the test login failed.</source>
        <translation>Não salvo: o teste de login falhou.</translation>
    </message>
    <message>
        <source>Remove router</source>
        <translation>Remover roteador</translation>
    </message>
    <message>
        <source>Stop monitoring {name} and delete its settings and stored password?</source>
        <translation>Parar de monitorar {name} e apagar suas configurações e a senha guardada?</translation>
    </message>
</context>
<context>
    <name>RouterList</name>
    <message>
        <source>All routers</source>
        <translation>Todos os roteadores</translation>
    </message>
    <message numerus="yes">
        <source>(%n alerts)</source>
        <translation>
            <numerusform>(%n alerta)</numerusform>
            <numerusform>(%n alertas)</numerusform>
        </translation>
    </message>
    <message>
        <source>Review the new host key…</source>
        <translation>Revisar a nova chave de host…</translation>
    </message>
    <message>
        <source>Reconnect</source>
        <translation>Reconectar</translation>
    </message>
    <message>
        <source>Edit router…</source>
        <translation>Editar roteador…</translation>
    </message>
    <message>
        <source>Remove router…</source>
        <translation>Remover roteador…</translation>
    </message>
</context>
<context>
    <name>RouterOutputDialog</name>
    <message>
        <source>Router output</source>
        <translation>Saída do roteador</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <source>This is what the router printed. To help support this router, save a sample with: ne8000monitor capture ROUTER</source>
        <translation>Isto é o que o roteador imprimiu. Para ajudar a suportar este roteador, salve uma amostra com: ne8000monitor capture ROUTER</translation>
    </message>
    <message>
        <source>Command: %1</source>
        <translation>Comando: %1</translation>
    </message>
    <message>
        <source>First line not understood (line %1): %2</source>
        <translation>Primeira linha não entendida (linha %1): %2</translation>
    </message>
</context>
<context>
    <name>RouterState</name>
    <message>
        <source>waiting</source>
        <translation>aguardando</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>conectando</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>conectado</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>inacessível</translation>
    </message>
    <message>
        <source>auth failed</source>
        <translation>falha de autenticação</translation>
    </message>
    <message>
        <source>no password</source>
        <translation>sem senha</translation>
    </message>
    <message>
        <source>host key changed</source>
        <translation>chave de host mudou</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>fechado</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>desconhecido</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertas</translation>
    </message>
    <message>
        <source>Polling</source>
        <translation>Coleta</translation>
    </message>
    <message>
        <source>Feed</source>
        <translation>Feed</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notificações</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Geral</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>Coletor</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Mass subscriber drop:</source>
        <translation>Queda em massa de assinantes:</translation>
    </message>
    <message>
        <source>… within:</source>
        <translation>… dentro de:</translation>
    </message>
    <message>
        <source>CPU above:</source>
        <translation>CPU acima de:</translation>
    </message>
    <message>
        <source>… for consecutive polls:</source>
        <translation>… por coletas consecutivas:</translation>
    </message>
    <message>
        <source>Memory above:</source>
        <translation>Memória acima de:</translation>
    </message>
    <message>
        <source>IP pool usage above:</source>
        <translation>Uso do pool de IP acima de:</translation>
    </message>
    <message>
        <source>Rates of the monitored interfaces</source>
        <translation>Taxas das interfaces monitoradas</translation>
    </message>
    <message>
        <source>Rates of every other up port, read on every Nth traffic poll (rounded to a multiple of the traffic interval)</source>
        <translation>Taxas das demais portas ativas, lidas a cada N consultas de tráfego (arredondado para um múltiplo do intervalo de tráfego)</translation>
    </message>
    <message>
        <source>Subscribers every:</source>
        <translation>Assinantes a cada:</translation>
    </message>
    <message>
        <source>Interfaces every:</source>
        <translation>Interfaces a cada:</translation>
    </message>
    <message>
        <source>Traffic of monitored interfaces every:</source>
        <translation>Tráfego das interfaces monitoradas a cada:</translation>
    </message>
    <message>
        <source>Traffic of other up ports every:</source>
        <translation>Tráfego das demais portas ativas a cada:</translation>
    </message>
    <message>
        <source>System (CPU, memory, alarms) every:</source>
        <translation>Sistema (CPU, memória, alarmes) a cada:</translation>
    </message>
    <message>
        <source>Jitter (fraction of the interval):</source>
        <translation>Jitter (fração do intervalo):</translation>
    </message>
    <message>
        <source>New polling intervals apply from the next start of the app.</source>
        <translation>Os novos intervalos de coleta valem a partir da próxima inicialização do aplicativo.</translation>
    </message>
    <message>
        <source>Serve the local HTTP/WebSocket feed</source>
        <translation>Servir o feed HTTP/WebSocket local</translation>
    </message>
    <message>
        <source>127.0.0.1 keeps the feed on this machine; any other address needs a token</source>
        <translation>127.0.0.1 mantém o feed nesta máquina; qualquer outro endereço exige um token</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nenhum</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Gerar</translation>
    </message>
    <message>
        <source>Allow feed clients holding the token to run commands</source>
        <translation>Permitir que clientes do feed com o token executem comandos</translation>
    </message>
    <message>
        <source>Bind address:</source>
        <translation>Endereço de escuta:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Porta:</translation>
    </message>
    <message>
        <source>Token:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <source>http://alertmanager:9093 (empty: off)</source>
        <translation>http://alertmanager:9093 (vazio: desligado)</translation>
    </message>
    <message>
        <source>Every alert is posted to Prometheus Alertmanager, re-sent while active and ended when it clears; Alertmanager groups, silences and routes them.</source>
        <translation>Cada alerta é enviado ao Prometheus Alertmanager, reenviado enquanto ativo e encerrado quando normaliza; o Alertmanager agrupa, silencia e encaminha os alertas.</translation>
    </message>
    <message>
        <source>One apprise URL per line, e.g.
tgram://BOT_TOKEN/CHAT_ID
mailto://user:password@smtp.example.com?to=noc@example.com</source>
        <translation>Uma URL do apprise por linha, por exemplo
tgram://BOT_TOKEN/CHAT_ID
mailto://user:password@smtp.example.com?to=noc@example.com</translation>
    </message>
    <message>
        <source>Critical only</source>
        <translation>Somente críticos</translation>
    </message>
    <message>
        <source>Major and critical</source>
        <translation>Maiores e críticos</translation>
    </message>
    <message>
        <source>Minor and above</source>
        <translation>Menores e acima</translation>
    </message>
    <message>
        <source>Everything (warning and above)</source>
        <translation>Tudo (aviso e acima)</translation>
    </message>
    <message>
        <source>These URLs may hold passwords and bot tokens. They are kept in the settings file, which only your user can read, and are masked in the log.</source>
        <translation>Estas URLs podem conter senhas e tokens de bot. Elas ficam no arquivo de configurações, que só o seu usuário pode ler, e são mascaradas no log.</translation>
    </message>
    <message>
        <source>Send test notification</source>
        <translation>Enviar notificação de teste</translation>
    </message>
    <message>
        <source>Alertmanager:</source>
        <translation>Alertmanager:</translation>
    </message>
    <message>
        <source>Notification URLs:</source>
        <translation>URLs de notificação:</translation>
    </message>
    <message>
        <source>Notify about:</source>
        <translation>Notificar sobre:</translation>
    </message>
    <message>
        <source>Operator mode: allow configuration commands in the console</source>
        <translation>Modo operador: permitir comandos de configuração no console</translation>
    </message>
    <message>
        <source>Each configuration command is still shown and must be confirmed; it is written to the audit log.</source>
        <translation>Cada comando de configuração continua sendo exibido e precisa ser confirmado; ele é gravado no log de auditoria.</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Padrão do sistema</translation>
    </message>
    <message>
        <source>Closing the window keeps the app in the tray</source>
        <translation>Fechar a janela mantém o aplicativo na bandeja do sistema</translation>
    </message>
    <message>
        <source>Play a sound for critical alerts</source>
        <translation>Tocar um som para alertas críticos</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Idioma:</translation>
    </message>
    <message>
        <source>A new language applies after restarting the app.</source>
        <translation>Um novo idioma vale após reiniciar o aplicativo.</translation>
    </message>
    <message>
        <source>The feed is not available in this session.</source>
        <translation>O feed não está disponível nesta sessão.</translation>
    </message>
    <message>
        <source>Feed running at {url} ({clients} clients).</source>
        <translation>Feed em execução em {url} ({clients} clientes).</translation>
    </message>
    <message>
        <source>Feed stopped.</source>
        <translation>Feed parado.</translation>
    </message>
    <message>
        <source>Enter at least one notification URL first.</source>
        <translation>Informe primeiro ao menos uma URL de notificação.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>Delivered to {target}</source>
        <translation>Entregue em {target}</translation>
    </message>
    <message>
        <source>Not delivered to {target}: {error}</source>
        <translation>Não entregue em {target}: {error}</translation>
    </message>
    <message>
        <source>Each notification URL needs a scheme (tgram://, mailto://, json:// …) and no spaces, one per line.</source>
        <translation>Cada URL de notificação precisa de um esquema (tgram://, mailto://, json:// …) e nenhum espaço, uma por linha.</translation>
    </message>
    <message>
        <source>Enter the feed&apos;s bind address (127.0.0.1 for this machine only).</source>
        <translation>Informe o endereço de escuta do feed (127.0.0.1 somente para esta máquina).</translation>
    </message>
    <message>
        <source>The feed would listen on {host}, reachable from the network, without a token. Set a token (Generate) or bind to 127.0.0.1.</source>
        <translation>O feed escutaria em {host}, acessível pela rede, sem token. Defina um token (Gerar) ou use 127.0.0.1.</translation>
    </message>
    <message>
        <source>Remote commands need a token: set one (Generate) or untick them.</source>
        <translation>Comandos remotos exigem um token: defina um (Gerar) ou desmarque a opção.</translation>
    </message>
    <message>
        <source>The token must not contain spaces.</source>
        <translation>O token não pode conter espaços.</translation>
    </message>
    <message>
        <source>The Alertmanager address must be an http:// or https:// URL.</source>
        <translation>O endereço do Alertmanager deve ser uma URL http:// ou https://.</translation>
    </message>
    <message>
        <source>Could not save the settings: {error}</source>
        <translation>Não foi possível salvar as configurações: {error}</translation>
    </message>
    <message>
        <source>Settings saved, but the feed could not start: {error}</source>
        <translation>Configurações salvas, mas o feed não pôde iniciar: {error}</translation>
    </message>
    <message>
        <source>Settings saved, but notifications cannot run: {error}</source>
        <translation>Configurações salvas, mas as notificações não podem funcionar: {error}</translation>
    </message>
</context>
<context>
    <name>Severity</name>
    <message>
        <source>critical</source>
        <translation>crítico</translation>
    </message>
    <message>
        <source>major</source>
        <translation>maior</translation>
    </message>
    <message>
        <source>minor</source>
        <translation>menor</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>aviso</translation>
    </message>
    <message numerus="yes">
        <source>%n critical</source>
        <translation>
            <numerusform>%n crítico</numerusform>
            <numerusform>%n críticos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n major</source>
        <translation>
            <numerusform>%n maior</numerusform>
            <numerusform>%n maiores</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minor</source>
        <translation>
            <numerusform>%n menor</numerusform>
            <numerusform>%n menores</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warning</source>
        <translation>
            <numerusform>%n aviso</numerusform>
            <numerusform>%n avisos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StartupWindow</name>
    <message>
        <source>&lt;b&gt;NE8000 Monitor&lt;/b&gt;</source>
        <translation>&lt;b&gt;NE8000 Monitor&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Starting: loading settings and connecting…</source>
        <translation>Iniciando: carregando configurações e conectando…</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Passwords kept for this session only</source>
        <translation>Senhas guardadas só nesta sessão</translation>
    </message>
    <message>
        <source>No usable OS keyring: router passwords are kept in memory and forgotten when the app closes, never written to a file. After a restart each router needs its password again (Edit router).</source>
        <translation>Sem chaveiro do sistema utilizável: as senhas dos roteadores ficam na memória e são esquecidas quando o aplicativo fecha, nunca gravadas em arquivo. Depois de reiniciar, cada roteador precisa da senha de novo (Editar roteador).</translation>
    </message>
    <message>
        <source>To keep them, run the app where an OS keyring is available: GNOME Keyring or KWallet (Secret Service) on Linux, the macOS Keychain, the Windows Credential Manager.</source>
        <translation>Para guardá-las, rode o aplicativo onde houver um chaveiro do sistema: GNOME Keyring ou KWallet (Secret Service) no Linux, o Keychain do macOS, o Gerenciador de Credenciais do Windows.</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Detalhes:</translation>
    </message>
    <message>
        <source>Connecting: %1</source>
        <translation>Conectando: %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n routers connected</source>
        <translation>
            <numerusform>%1 de %n roteador conectado</numerusform>
            <numerusform>%1 de %n roteadores conectados</numerusform>
        </translation>
    </message>
    <message>
        <source>Last data: %1</source>
        <translation>Últimos dados: %1</translation>
    </message>
    <message>
        <source>Cache hits: %1</source>
        <translation>Acertos de cache: %1</translation>
    </message>
    <message>
        <source>Last data: %1%2, latency %3</source>
        <translation>Últimos dados: %1%2, latência %3</translation>
    </message>
    <message>
        <source>Feed: off</source>
        <translation>Feed: desligado</translation>
    </message>
    <message numerus="yes">
        <source>Feed: %1 (%n clients)</source>
        <translation>
            <numerusform>Feed: %1 (%n cliente)</numerusform>
            <numerusform>Feed: %1 (%n clientes)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SubscribersView</name>
    <message>
        <source>Online subscribers</source>
        <translation>Assinantes online</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Domínio</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Limit</source>
        <translation>Limite</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>Uso</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>IP pool</source>
        <translation>Pool de IP</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>Usados</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>Faixa</translation>
    </message>
    <message>
        <source>Domains</source>
        <translation>Domínios</translation>
    </message>
    <message>
        <source>IP pools</source>
        <translation>Pools de IP</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <source>6 h</source>
        <translation>6 h</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 h</translation>
    </message>
    <message>
        <source>7 d</source>
        <translation>7 d</translation>
    </message>
    <message>
        <source>%1 in the last %2</source>
        <translation>%1 nos últimos %2</translation>
    </message>
    <message>
        <source>Red from a drop of %1% (the mass-drop alert&apos;s threshold)</source>
        <translation>Vermelho a partir de uma queda de %1% (o limite do alerta de queda em massa)</translation>
    </message>
    <message>
        <source>Loading subscriber history</source>
        <translation>Carregando histórico de assinantes</translation>
    </message>
    <message>
        <source>%1 in the last 5 min</source>
        <translation>%1 nos últimos 5 min</translation>
    </message>
    <message>
        <source>from memory</source>
        <translation>da memória</translation>
    </message>
    <message>
        <source>from history</source>
        <translation>do histórico</translation>
    </message>
</context>
<context>
    <name>SystemView</name>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Memória</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>Slot</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Memory used</source>
        <translation>Memória usada</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modelo:</translation>
    </message>
    <message>
        <source>Software:</source>
        <translation>Software:</translation>
    </message>
    <message>
        <source>Uptime:</source>
        <translation>Tempo ligado:</translation>
    </message>
    <message>
        <source>Boards</source>
        <translation>Placas</translation>
    </message>
    <message>
        <source>Loading CPU and memory history</source>
        <translation>Carregando histórico de CPU e memória</translation>
    </message>
</context>
<context>
    <name>TrafficView</name>
    <message>
        <source>In</source>
        <translation>Entrada</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Saída</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>Capacidade</translation>
    </message>
    <message>
        <source>Draw each port&apos;s bandwidth as a dotted line and scale the plot to it</source>
        <translation>Desenhar a banda de cada porta como linha pontilhada e ajustar a escala do gráfico a ela</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Exportar CSV…</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>Exportar PNG…</translation>
    </message>
    <message>
        <source>Hover over the plot to read values</source>
        <translation>Passe o mouse sobre o gráfico para ler os valores</translation>
    </message>
    <message>
        <source>No traffic samples yet: rates need two polls of an interface.</source>
        <translation>Ainda sem amostras de tráfego: as taxas exigem duas coletas da interface.</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>Tráfego</translation>
    </message>
    <message>
        <source>Solid line: in ↓   dashed line: out ↑   dotted line: port capacity</source>
        <translation>Linha contínua: entrada ↓   linha tracejada: saída ↑   linha pontilhada: capacidade da porta</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Janela</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <source>6 h</source>
        <translation>6 h</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 h</translation>
    </message>
    <message>
        <source>7 d</source>
        <translation>7 d</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Retomar</translation>
    </message>
    <message>
        <source>Loading history…</source>
        <translation>Carregando histórico…</translation>
    </message>
    <message>
        <source>Loading traffic history</source>
        <translation>Carregando histórico de tráfego</translation>
    </message>
    <message>
        <source>Traffic history could not be read: %1</source>
        <translation>Não foi possível ler o histórico de tráfego: %1</translation>
    </message>
    <message>
        <source>5-minute averages, then every poll</source>
        <translation>Médias de 5 minutos, depois cada coleta</translation>
    </message>
    <message>
        <source>Every poll</source>
        <translation>Cada coleta</translation>
    </message>
    <message>
        <source>Export traffic as CSV</source>
        <translation>Exportar tráfego em CSV</translation>
    </message>
    <message>
        <source>Export plot as PNG</source>
        <translation>Exportar gráfico em PNG</translation>
    </message>
    <message>
        <source>%1 rows written to %2</source>
        <translation>%1 linhas gravadas em %2</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Falha ao exportar: %1</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Interface</translation>
    </message>
    <message>
        <source>In now</source>
        <translation>Entrada agora</translation>
    </message>
    <message>
        <source>In peak</source>
        <translation>Entrada pico</translation>
    </message>
    <message>
        <source>In 95th pct</source>
        <translation>Entrada pct. 95</translation>
    </message>
    <message>
        <source>Out now</source>
        <translation>Saída agora</translation>
    </message>
    <message>
        <source>Out peak</source>
        <translation>Saída pico</translation>
    </message>
    <message>
        <source>Out 95th pct</source>
        <translation>Saída pct. 95</translation>
    </message>
    <message>
        <source>The router has not reported this port&apos;s bandwidth yet</source>
        <translation>O roteador ainda não informou a banda desta porta</translation>
    </message>
    <message>
        <source>Bandwidth as the router prints it: %1</source>
        <translation>Banda como o roteador a exibe: %1</translation>
    </message>
    <message>
        <source>No sample in this window</source>
        <translation>Nenhuma amostra nesta janela</translation>
    </message>
    <message>
        <source>The newest poll (%1) gave no rate</source>
        <translation>A coleta mais recente (%1) não trouxe taxa</translation>
    </message>
    <message>
        <source>Polled at %1</source>
        <translation>Coletado em %1</translation>
    </message>
    <message>
        <source>Not current: see the note above the plot</source>
        <translation>Não atual: veja o aviso acima do gráfico</translation>
    </message>
    <message>
        <source>No rate in this window</source>
        <translation>Nenhuma taxa nesta janela</translation>
    </message>
    <message>
        <source>At %1</source>
        <translation>Em %1</translation>
    </message>
    <message>
        <source>%1 of the port&apos;s capacity</source>
        <translation>%1 da capacidade da porta</translation>
    </message>
    <message numerus="yes">
        <source>95th percentile over the window (5-minute averages: %n)</source>
        <translation>
            <numerusform>Percentil 95 na janela (médias de 5 minutos: %n)</numerusform>
            <numerusform>Percentil 95 na janela (médias de 5 minutos: %n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>95th percentile over the window (polled rates: %n)</source>
        <translation>
            <numerusform>Percentil 95 na janela (taxas coletadas: %n)</numerusform>
            <numerusform>Percentil 95 na janela (taxas coletadas: %n)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Show window</source>
        <translation>Mostrar janela</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Sair</translation>
    </message>
    <message>
        <source>NE8000 Monitor</source>
        <translation>NE8000 Monitor</translation>
    </message>
</context>
</TS>
